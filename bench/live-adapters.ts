/**
 * The live feed's Socket.IO adapter on a Redis Cluster: the classic adapter (PUBLISH, which a
 * cluster copies to every node over its bus) against the sharded one (SPUBLISH, served by the
 * master of the channel's slot alone). Two Socket.IO servers (API nodes) hold the sockets, half
 * each; a publisher sends fan-out-shaped pushes (one emit to a batch of user rooms), as a worker
 * does. Reports pushes delivered per second and the Redis CPU each master spent, in one run.
 *
 *   node dist/bench/live-adapters.js [--sockets 200] [--emits 2000] [--rooms 50] [--redis-cluster host:port,...]
 *
 * Without --redis-cluster it starts a local 3-master cluster of its own (bench/local-redis-cluster.ts).
 */
import { createAdapter, createShardedAdapter } from '@socket.io/redis-adapter';
import { Emitter } from '@socket.io/redis-emitter';
import { Cluster } from 'ioredis';
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { Server } from 'socket.io';
import { io as connect, Socket } from 'socket.io-client';
import { LocalRedisCluster } from './local-redis-cluster';

type Mode = 'classic' | 'sharded';
interface Node {
  host: string;
  port: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sockets: { type: 'string', default: '200' },
      emits: { type: 'string', default: '2000' },
      rooms: { type: 'string', default: '50' },
      'redis-cluster': { type: 'string' },
    },
  });
  const sockets = Number(values.sockets);
  const emits = Number(values.emits);
  const rooms = Math.min(Number(values.rooms), sockets);
  const local = values['redis-cluster'] ? null : await LocalRedisCluster.start(3);
  const nodes: Node[] = local
    ? local.nodes
    : values['redis-cluster']!.split(',').map((n) => ({ host: n.split(':')[0], port: Number(n.split(':')[1]) }));
  try {
    const results = [];
    for (const mode of ['classic', 'sharded'] as Mode[]) results.push(await measure(mode, nodes, sockets, emits, rooms));
    console.log(`\n${sockets} sockets on 2 servers, ${emits} emits of ${rooms} user rooms each, ${nodes.length} masters\n`);
    console.log('adapter  | pushes/s | Redis CPU ms per master        | total Redis CPU ms');
    for (const r of results) {
      console.log(
        `${r.mode.padEnd(8)} | ${String(Math.round(r.pushesPerSecond)).padStart(8)} | ${r.cpuMs.map((c) => String(Math.round(c)).padStart(6)).join(' ')}${' '.repeat(Math.max(0, 31 - 7 * r.cpuMs.length))}| ${Math.round(r.cpuMs.reduce((a, b) => a + b, 0))}`,
      );
    }
    const [classic, sharded] = results;
    console.log(
      `\nsharded ÷ classic: pushes/s ${(sharded.pushesPerSecond / classic.pushesPerSecond).toFixed(2)}, total Redis CPU ${(
        sharded.cpuMs.reduce((a, b) => a + b, 0) / classic.cpuMs.reduce((a, b) => a + b, 0)
      ).toFixed(2)}`,
    );
  } finally {
    await local?.stop();
  }
}

async function measure(mode: Mode, nodes: Node[], socketCount: number, emits: number, roomsPerEmit: number) {
  const prefix = `bench-live-${process.pid}-${mode}`;
  const clients: Cluster[] = [];
  const cluster = (sharded: boolean) => {
    const client = new Cluster(nodes, { shardedSubscribers: sharded, redisOptions: { maxRetriesPerRequest: null } });
    clients.push(client);
    return client;
  };
  const servers: Server[] = [];
  const closers: (() => unknown)[] = [];
  const urls: string[] = [];
  for (let i = 0; i < 2; i++) {
    const http = createServer();
    const server = new Server(http, { transports: ['websocket'] });
    server.adapter(
      mode === 'classic'
        ? createAdapter(cluster(false), cluster(false), { key: prefix })
        : createShardedAdapter(cluster(false), cluster(true), { channelPrefix: prefix, subscriptionMode: 'dynamic' }),
    );
    server.of('/feed').on('connection', (socket) => void socket.join(`u:${socket.handshake.auth.user}`));
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    urls.push(`http://127.0.0.1:${(http.address() as AddressInfo).port}`);
    servers.push(server);
  }
  // The publisher: the emitter a worker runs on the classic adapter; on the sharded one, a server
  // without sockets of its own (the emitter speaks the classic channels only).
  let publish: (rooms: string[], n: number) => void;
  if (mode === 'classic') {
    const pub = cluster(false);
    const emitter = new Emitter(pub, { key: prefix }).of('/feed');
    publish = (rooms, n) => emitter.to(rooms).emit('timeline:post', { n });
  } else {
    const headless = new Server();
    headless.adapter(createShardedAdapter(cluster(false), cluster(true), { channelPrefix: prefix, subscriptionMode: 'dynamic' }));
    closers.push(() => headless.of('/feed').adapter.close());
    publish = (rooms, n) => headless.of('/feed').to(rooms).emit('timeline:post', { n });
  }

  const sockets: Socket[] = [];
  let received = 0;
  for (let i = 0; i < socketCount; i++) {
    const socket = connect(`${urls[i % 2]}/feed`, { auth: { user: String(i) }, transports: ['websocket'], forceNew: true });
    socket.on('timeline:post', () => received++);
    sockets.push(socket);
  }
  await Promise.all(sockets.map((s) => (s.connected ? undefined : new Promise<void>((resolve) => s.once('connect', () => resolve())))));
  await new Promise((resolve) => setTimeout(resolve, 500)); // subscriptions settle

  const before = await cpuPerMaster(nodes);
  const started = Date.now();
  const expected = emits * roomsPerEmit;
  for (let n = 0; n < emits; n++) {
    const first = (n * roomsPerEmit) % socketCount;
    const rooms = Array.from({ length: roomsPerEmit }, (_, i) => `u:${(first + i) % socketCount}`);
    publish(rooms, n);
    if (n % 100 === 99) await new Promise((resolve) => setImmediate(resolve));
  }
  const deadline = Date.now() + 120_000;
  while (received < expected && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  const seconds = (Date.now() - started) / 1000;
  const after = await cpuPerMaster(nodes);

  for (const socket of sockets) socket.close();
  for (const server of servers) await new Promise((resolve) => server.close(() => resolve(undefined)));
  for (const close of closers) await close();
  for (const client of clients) client.disconnect();
  if (received < expected) console.warn(`${mode}: ${received} of ${expected} pushes arrived`);
  return { mode, pushesPerSecond: received / seconds, cpuMs: after.map((c, i) => (c - before[i]) * 1000) };
}

/** used_cpu_sys + used_cpu_user of each master, in seconds. */
async function cpuPerMaster(nodes: Node[]): Promise<number[]> {
  const { default: Redis } = await import('ioredis');
  return Promise.all(
    nodes.map(async ({ host, port }) => {
      const redis = new Redis(port, host);
      try {
        const info = await redis.info('cpu');
        const field = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? 0);
        return field('used_cpu_sys') + field('used_cpu_user');
      } finally {
        redis.disconnect();
      }
    }),
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
