import { ChildProcess } from 'node:child_process';
import { Client } from 'pg';
import { ApiClient, eventually, TestUser } from './support/api-client';
import { LiveClient } from './support/live-client';
import { exited, waitForLog } from './support/processes';
import { seedFollowers } from './support/seed';
import { TestEnv } from './support/test-env';
import { redisMode, TestRedis } from './support/test-redis';
import { countHolding, createTimelines } from './support/timelines';

jest.setTimeout(240_000);

/**
 * Scale-out as production runs it: two API processes and two worker processes of the built
 * service, on one Redis (project e2e) and on the local 3-master cluster (project e2e-cluster).
 */
describe('scale-out: several API and worker processes', () => {
  let env: TestEnv;
  let sql: Client;
  let redis: TestRedis;
  let api1: ApiClient;
  let api2: ApiClient;
  const workers: ChildProcess[] = [];
  const sockets: LiveClient[] = [];
  // Small batches and chunks: a 50,000-follower fan-out is 10 chunks the two workers share, long
  // enough to be caught in the middle.
  const workerEnv = { ROLE: 'worker', LOG_LEVEL: 'log', FANOUT_BATCH_SIZE: '250', FANOUT_CHUNK_SIZE: '5000' };

  const startWorker = async (): Promise<ChildProcess> => {
    const worker = env.spawn(workerEnv);
    await waitForLog(worker, 'worker started');
    workers.push(worker);
    return worker;
  };
  const status = async (author: TestUser, postId: string) => (await api1.get(`/posts/${postId}/fanout`, author)).body;
  const fanoutDone = (author: TestUser, postId: string) =>
    eventually(async () => {
      const s = await status(author, postId);
      expect(s.state).toBe('done');
      return s;
    }, 180_000, 250);

  /** Readers who follow the author and keep a socket open: two on each API node. */
  const liveReaders = async (author: TestUser): Promise<{ user: TestUser; socket: LiveClient }[]> => {
    const readers = [];
    for (const node of [api1, api1, api2, api2]) {
      const user = await node.register();
      await node.follow(user, author);
      await node.homeIds(user);
      const socket = await LiveClient.connect(node.url, user.token);
      sockets.push(socket);
      readers.push({ user, socket });
    }
    return readers;
  };
  const pushesOf = (socket: LiveClient, postId: string) => socket.posts.filter((p) => p.id === postId).length;

  beforeAll(async () => {
    env = await TestEnv.create({ FANOUT_CELEBRITY_THRESHOLD: '1000000' });
    sql = await env.sql();
    redis = env.redis();
    [api1, api2] = (await Promise.all([env.spawnApi(), env.spawnApi()])).map((url) => new ApiClient(url));
    await Promise.all([startWorker(), startWorker()]);
  });

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await env.close();
  });

  it('delivers a 50,000-follower post exactly once with a worker SIGKILLed halfway, and pushes it to a socket on each API node once', async () => {
    const author = await api1.register();
    const readers = await liveReaders(author);
    const followers = await seedFollowers(sql, author.id, 50_000);
    await createTimelines(redis, followers);

    const post = await api1.createPost(author, 'through node 1, fanned out by the workers');
    await eventually(async () => expect((await status(author, post.id)).delivered).toBeGreaterThanOrEqual(10_000), 120_000, 20);
    const [victim] = workers.splice(0, 1);
    victim.kill('SIGKILL');
    await exited(victim);
    const midway = await status(author, post.id);
    expect(midway.state).toBe('running');
    expect(midway.delivered).toBeLessThan(50_000 + readers.length);

    // The killed worker's chunks are found stalled and finished by the other.
    const done = await fanoutDone(author, post.id);
    expect(done).toMatchObject({ followers: 50_000 + readers.length, delivered: 50_000 + readers.length });
    expect(await countHolding(redis, followers, post.id)).toBe(50_000);
    for (const { user, socket } of readers) {
      expect(await api2.homeIds(user)).toContain(post.id);
      await eventually(async () => expect(pushesOf(socket, post.id)).toBe(1));
    }
    // Nothing pushed twice by the replayed batches, whichever node holds the socket.
    expect(readers.map(({ socket }) => pushesOf(socket, post.id))).toEqual([1, 1, 1, 1]);
    await startWorker(); // two workers again for what follows
  });

  // What only a cluster has: masters to spread over, and a master to lose.
  if (redisMode() === 'cluster') {
    describe('on the cluster', () => {
      it('spreads the timelines over all three masters', async () => {
        const perMaster = await env.redisCluster!.keysPerMaster(`${env.keys.prefix}{u:`);
        expect(perMaster).toHaveLength(3);
        const total = perMaster.reduce((a, b) => a + b, 0);
        expect(total).toBeGreaterThanOrEqual(50_000);
        // Each master holds a fair share (a third, give or take): no hot master.
        for (const count of perMaster) expect(count).toBeGreaterThan(total / 5);
      });

      it('gets a post to every timeline once a restarted master is back, and answers 503, never 500, while its slots are down', async () => {
        const cluster = env.redisCluster!;
        const author = await api1.register();
        const readers = await liveReaders(author);
        const followers = await seedFollowers(sql, author.id, 10_000, 'r');
        await createTimelines(redis, followers);
        // The master of one reader's timeline goes down: that reader's reads cannot be served.
        const master = await cluster.masterOf(env.keys.home(readers[0].user.id));

        const first = await api1.createPost(author, 'before the restart');
        await eventually(async () => expect((await status(author, first.id)).delivered).toBeGreaterThan(0), 60_000, 20);
        await cluster.stopNode(master);
        const statuses: number[] = [];
        let second: string | null = null;
        try {
          const down = await eventually(async () => {
            const res = await api2.get('/timelines/home', readers[0].user);
            statuses.push(res.status);
            expect(res.status).toBe(503);
            return res;
          }, 30_000, 100);
          expect(down.body).toMatchObject({ statusCode: 503, error: 'Service Unavailable' });
          // Every route keeps answering while the slots are down: 2xx or 503, never 500.
          const posted = await api1.post('/posts', author).send({ text: 'while a master is down' });
          statuses.push(posted.status);
          if (posted.status === 201) second = posted.body.id as string;
          for (const { user } of readers.slice(1)) statuses.push((await api2.get('/timelines/home', user)).status);
          statuses.push((await api1.get('/users/me', author)).status, (await api2.get('/health')).status);
          statuses.push((await api1.get(`/posts/${first.id}/fanout`, author)).status);
        } finally {
          await cluster.startNode(master);
        }
        expect(statuses.filter((s) => s >= 500 && s !== 503)).toEqual([]);
        // PostgreSQL took the post; its fan-out waits in the outbox.
        expect(second).not.toBeNull();

        for (const id of [first.id, ...(second ? [second] : [])]) {
          await fanoutDone(author, id);
          await eventually(async () => expect(await countHolding(redis, followers, id)).toBe(10_000), 60_000, 500);
          for (const { user } of readers) await eventually(async () => expect(await api2.homeIds(user)).toContain(id), 30_000, 200);
        }
      });
    });
  }

  it('stops every worker with SIGTERM, exit code 0', async () => {
    for (const worker of workers.splice(0)) {
      worker.kill('SIGTERM');
      expect(await exited(worker)).toBe(0);
    }
  });
});
