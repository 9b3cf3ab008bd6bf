/**
 * The scale-out scenario (`npm run load -- --scaling`): fan-out throughput with 1 and 2 workers,
 * on one Redis and on a local Redis Cluster, in one run, with each process's CPU. For each shape it
 * seeds an author with --followers followers (all with a home timeline, as active users), starts
 * the API and worker processes of the built service, makes --posts posts one after another and
 * reads each one's fan-out delay from GET /posts/:id/fanout; meanwhile a 10-follower author posts
 * every 100 ms, whose fan-out delays give the small-post p99 during a big fan-out.
 *
 *   npm run load -- --scaling [--followers 100000] [--workers 1,2] [--redis-cluster 3] [--apis 1] [--posts 2]
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { RedisBatch } from '../src/redis/redis-batch';
import { RedisClient } from '../src/redis/redis-client';
import { RedisFactory } from '../src/redis/redis-factory';
import { RedisKeys } from '../src/redis/redis-keys';
import { END_OF_HISTORY } from '../src/timelines/timeline-scripts';
import { CpuMeter, CpuUse } from './cpu';
import { LocalRedisCluster } from './local-redis-cluster';
import { Sandbox } from './sandbox';
import { ServiceProcess } from './service';
import { signToken } from './tokens';
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';

const SMALL_FOLLOWERS = 10;
const SMALL_EVERY_MS = 100;

interface Shape {
  redis: 'single' | 'cluster';
  workers: number;
}

interface ShapeResult extends Shape {
  deliveriesPerSec: number;
  bigDelayMs: number[];
  smallP99Ms: number | null;
  smallPosts: number;
  cpu: CpuUse;
}

export async function runScaling(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      scaling: { type: 'boolean' },
      followers: { type: 'string', default: '100000' },
      workers: { type: 'string', default: '1,2' },
      'redis-cluster': { type: 'string', default: '3' },
      apis: { type: 'string', default: '1' },
      posts: { type: 'string', default: '2' },
      results: { type: 'string', default: join('bench', 'results') },
      'database-server': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432' },
      'redis-server': { type: 'string', default: 'redis://127.0.0.1:6379' },
    },
  });
  const followers = Number(values.followers);
  const workerCounts = values.workers!.split(',').map(Number);
  const masters = Number(values['redis-cluster']);
  const apis = Number(values.apis);
  const posts = Number(values.posts);
  const logsDir = join(values.results!, `scaling-${new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19)}-logs`);
  mkdirSync(logsDir, { recursive: true });

  const shapes: Shape[] = [];
  for (const redis of masters > 0 ? (['single', 'cluster'] as const) : (['single'] as const)) {
    for (const workers of workerCounts) shapes.push({ redis, workers });
  }
  const cluster = masters > 0 ? await LocalRedisCluster.start(masters) : null;
  const results: ShapeResult[] = [];
  try {
    for (const shape of shapes) {
      process.stderr.write(`${shape.redis === 'single' ? 'one Redis' : `cluster of ${masters}`}, ${shape.workers} worker(s)...\n`);
      results.push(await runShape(shape, { followers, apis, posts, cluster, logsDir, databaseServer: values['database-server']!, redisServer: values['redis-server']! }));
    }
  } finally {
    await cluster?.stop();
  }
  process.stdout.write(`\n${report(results, followers, masters)}\n\nService logs: ${logsDir}\n`);
  return 0;
}

interface ShapeSetup {
  followers: number;
  apis: number;
  posts: number;
  cluster: LocalRedisCluster | null;
  logsDir: string;
  databaseServer: string;
  redisServer: string;
}

async function runShape(shape: Shape, setup: ShapeSetup): Promise<ShapeResult> {
  const sandbox = await Sandbox.create(setup.databaseServer, setup.redisServer);
  const prefix = `feed-scaling-${randomBytes(3).toString('hex')}:`;
  const redisEnv: Record<string, string> =
    shape.redis === 'cluster' ? { REDIS_CLUSTER_NODES: setup.cluster!.setting } : { REDIS_URL: sandbox.redisUrl };
  const factory = new RedisFactory({
    redisUrl: sandbox.redisUrl,
    redisClusterNodes: shape.redis === 'cluster' ? setup.cluster!.nodes : null,
  });
  const redis = factory.create('feed-scaling', { commandTimeout: 60_000 });
  const keys = new RedisKeys(prefix, factory.db);
  const sql = await sandbox.sql();
  const services: ServiceProcess[] = [];
  try {
    const big = await seedAuthor(sql, 'big', setup.followers);
    const small = await seedAuthor(sql, 'small', SMALL_FOLLOWERS);
    await createTimelines(redis, keys, [...big.followers, ...small.followers]);

    const secret = randomBytes(32).toString('hex');
    const env = {
      DATABASE_URL: sandbox.databaseUrl,
      ...redisEnv,
      REDIS_KEY_PREFIX: prefix,
      JWT_SECRET: secret,
      FANOUT_CELEBRITY_THRESHOLD: String(setup.followers * 10),
      RATE_LIMIT_WRITE: '999999999/1h',
      RATE_LIMIT_READ: '999999999/1h',
    };
    const tag = `${shape.redis}-${shape.workers}w`;
    const start = (name: string, role: 'api' | 'worker') =>
      ServiceProcess.start({ name, role, env, logFile: join(setup.logsDir, `${tag}-${name}.log`) }).then((s) => (services.push(s), s));
    const apiProcesses = await Promise.all(Array.from({ length: setup.apis }, (_, i) => start(`api-${i + 1}`, 'api')));
    const workerProcesses = await Promise.all(Array.from({ length: shape.workers }, (_, i) => start(`worker-${i + 1}`, 'worker')));
    const redisPids = await serverPids(redis, setup.cluster, shape.redis);
    const cpu = new CpuMeter(() => ({
      ...Object.fromEntries(apiProcesses.map((p) => [p.name, [p.pid]])),
      ...Object.fromEntries(workerProcesses.map((p) => [p.name, [p.pid]])),
      redis: redisPids,
      postgres: { postgresDatabase: sandbox.databaseName },
    }));
    const urls = apiProcesses.map((p) => p.url!);
    const bigToken = signToken(secret, big);
    const smallToken = signToken(secret, small);

    // A warm-up post, unmeasured: connections, JIT, the first chunk plans.
    await fanout(urls[0], bigToken, await createPost(urls[0], bigToken, 'warm-up'));

    const stop = cpu.start();
    const bigDelayMs: number[] = [];
    const smallIds: string[] = [];
    for (let i = 0; i < setup.posts; i++) {
      const id = await createPost(urls[i % urls.length], bigToken, `big ${i}`);
      let done = false;
      const smallLoop = (async () => {
        while (!done) {
          smallIds.push(await createPost(urls[smallIds.length % urls.length], smallToken, `small ${smallIds.length}`));
          await new Promise((resolve) => setTimeout(resolve, SMALL_EVERY_MS));
        }
      })();
      bigDelayMs.push(await fanout(urls[0], bigToken, id));
      done = true;
      await smallLoop;
    }
    const use = stop();
    const smallDelays = await Promise.all(smallIds.map((id) => fanout(urls[0], smallToken, id)));
    const sorted = [...smallDelays].sort((a, b) => a - b);
    const total = bigDelayMs.reduce((a, b) => a + b, 0);
    return {
      ...shape,
      deliveriesPerSec: (setup.followers * setup.posts) / (total / 1000),
      bigDelayMs,
      smallP99Ms: sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)] : null,
      smallPosts: sorted.length,
      cpu: use,
    };
  } finally {
    await Promise.all(services.map((s) => s.stop()));
    redis.disconnect();
    await sql.end();
    if (shape.redis === 'cluster') await setup.cluster!.deleteMatching(prefix);
    await sandbox.close();
  }
}

async function seedAuthor(sql: Client, name: string, followers: number): Promise<{ id: string; username: string; followers: string[] }> {
  const username = `${name}_${Date.now().toString(36)}`;
  const { rows } = await sql.query<{ id: string }>(
    `INSERT INTO users (username, display_name, password_hash) VALUES ($1, $1, 'seeded') RETURNING id`,
    [username],
  );
  const id = rows[0].id;
  const { rows: fans } = await sql.query<{ id: string }>(
    `INSERT INTO users (username, display_name, password_hash)
     SELECT $1 || '_' || n, $1 || ' ' || n, 'seeded' FROM generate_series(1, $2) AS n RETURNING id`,
    [`${username}_f`, followers],
  );
  const ids = fans.map((r) => r.id);
  await sql.query(`INSERT INTO follows (follower_id, followee_id) SELECT unnest($1::bigint[]), $2`, [ids, id]);
  await sql.query(`UPDATE users SET followers_count = $2 WHERE id = $1`, [id, ids.length]);
  return { id, username, followers: ids };
}

/** Empty, complete home timelines: the followers are active users. */
async function createTimelines(redis: RedisClient, keys: RedisKeys, userIds: string[]): Promise<void> {
  for (let i = 0; i < userIds.length; i += 5000) {
    const batch = new RedisBatch(redis);
    for (const id of userIds.slice(i, i + 5000)) batch.add('rpush', keys.home(id), END_OF_HISTORY);
    await batch.execOrThrow();
  }
}

async function createPost(url: string, token: string, text: string): Promise<string> {
  const res = await fetch(`${url}/posts`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ text }),
  });
  if (res.status !== 201) throw new Error(`POST /posts: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}

/** Waits for the post's fan-out to be done; its delay in ms as the service measured it. */
async function fanout(url: string, token: string, postId: string): Promise<number> {
  const deadline = Date.now() + 600_000;
  for (;;) {
    const res = await fetch(`${url}/posts/${postId}/fanout`, { headers: { Authorization: `Bearer ${token}` } });
    const body = (await res.json()) as { state: string; delayMs: number | null };
    if (body.state === 'done' && body.delayMs !== null) return body.delayMs;
    if (Date.now() > deadline) throw new Error(`fan-out of ${postId} not done after 10 min`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function serverPids(redis: RedisClient, cluster: LocalRedisCluster | null, mode: Shape['redis']): Promise<number[]> {
  if (mode === 'cluster') return cluster!.pids;
  return [Number(/process_id:(\d+)/.exec(await redis.info('server'))?.[1] ?? 0)].filter(Boolean);
}

function report(results: ShapeResult[], followers: number, masters: number): string {
  const names = [...new Set(results.flatMap((r) => Object.keys(r.cpu).filter((k) => k !== 'wall')))];
  const lines = [
    `Fan-out of ${followers.toLocaleString('en-US')}-follower posts; a 10-follower post every ${SMALL_EVERY_MS} ms meanwhile`,
    '',
    `| Redis | workers | deliveries/s | big post delay (ms) | small post p99 (ms) | CPU s: ${names.join(', ')} | wall s |`,
    `|---|---|---|---|---|---|---|`,
  ];
  for (const r of results) {
    lines.push(
      `| ${r.redis === 'single' ? 'one' : `cluster of ${masters}`} | ${r.workers} | ${Math.round(r.deliveriesPerSec).toLocaleString('en-US')} | ${r.bigDelayMs.join(', ')} | ${r.smallP99Ms ?? '-'} (${r.smallPosts}) | ${names.map((n) => r.cpu[n] ?? '-').join(', ')} | ${r.cpu.wall} |`,
    );
  }
  const rate = (redis: string, workers: number) => results.find((r) => r.redis === redis && r.workers === workers)?.deliveriesPerSec;
  const ratio = (a?: number, b?: number) => (a && b ? (a / b).toFixed(2) : '-');
  const most = Math.max(...results.map((r) => r.workers));
  lines.push(
    '',
    `${most} workers ÷ 1 worker: one Redis ${ratio(rate('single', most), rate('single', 1))}, cluster ${ratio(rate('cluster', most), rate('cluster', 1))} (target ≥ 1.5)`,
    `cluster ÷ one Redis: 1 worker ${ratio(rate('cluster', 1), rate('single', 1))}, ${most} workers ${ratio(rate('cluster', most), rate('single', most))} (target ≥ 0.9)`,
  );
  return lines.join('\n');
}
