import { ChildProcess } from 'node:child_process';
import { Client } from 'pg';
import { ApiClient, eventually, TestUser } from './support/api-client';
import { seedFollowers } from './support/seed';
import { exited, waitForLog } from './support/processes';
import { TestEnv } from './support/test-env';
import { TestRedis } from './support/test-redis';
import { countHolding, createTimelines } from './support/timelines';

jest.setTimeout(180_000);

const started = (child: ChildProcess) => waitForLog(child, 'worker started');

describe('fan-out recovery: nothing is lost', () => {
  let env: TestEnv;
  let api: ApiClient;
  let sql: Client;
  let redis: TestRedis;
  // A slow, finely checkpointed fan-out, so a test can catch it in the middle.
  const workerEnv = { ROLE: 'worker', LOG_LEVEL: 'log', FANOUT_BATCH_SIZE: '250', FANOUT_CHUNK_SIZE: '5000', FANOUT_CELEBRITY_THRESHOLD: '1000000' };

  beforeAll(async () => {
    env = await TestEnv.create({ FANOUT_CELEBRITY_THRESHOLD: '1000000' });
    const { url } = await env.startApp({ ROLE: 'api' });
    api = new ApiClient(url);
    sql = await env.sql();
    redis = env.redis();
  });

  afterAll(() => env.close());

  const status = async (user: TestUser, postId: string) => (await api.get(`/posts/${postId}/fanout`, user)).body;

  it('delivers every follower exactly once when the worker is SIGKILLed mid fan-out and restarted', async () => {
    const author = await api.register();
    const followers = await seedFollowers(sql, author.id, 50_000);
    await createTimelines(redis, followers);

    const first = env.spawn(workerEnv);
    await started(first);
    const post = await api.createPost(author, 'survives a crash');
    await eventually(async () => expect((await status(author, post.id)).delivered).toBeGreaterThanOrEqual(2_000), 60_000, 20);
    first.kill('SIGKILL');
    await exited(first);
    const midway = await status(author, post.id);
    expect(midway.state).toBe('running');
    expect(midway.delivered).toBeLessThan(50_000);

    const second = env.spawn(workerEnv);
    await started(second);
    const done = await eventually(async () => {
      const s = await status(author, post.id);
      expect(s.state).toBe('done');
      return s;
    }, 120_000, 250);
    expect(done).toMatchObject({ followers: 50_000, delivered: 50_000 });
    expect(await countHolding(redis, followers, post.id)).toBe(50_000);
    second.kill('SIGTERM');
    expect(await exited(second)).toBe(0);
  });

  it('drains on SIGTERM: exits 0, and the next worker finishes what was left', async () => {
    const author = await api.register();
    const followers = await seedFollowers(sql, author.id, 20_000);
    await createTimelines(redis, followers);
    const worker = env.spawn(workerEnv);
    await started(worker);
    const post = await api.createPost(author, 'graceful');
    await eventually(async () => expect((await status(author, post.id)).delivered).toBeGreaterThan(0), 60_000, 20);
    worker.kill('SIGTERM');
    expect(await exited(worker)).toBe(0);

    const next = env.spawn(workerEnv);
    await started(next);
    await eventually(async () => expect((await status(author, post.id)).state).toBe('done'), 120_000, 250);
    expect(await countHolding(redis, followers, post.id)).toBe(20_000);
    next.kill('SIGTERM');
    expect(await exited(next)).toBe(0);
  });

  it('delivers, through the outbox relay, a post whose enqueue never happened', async () => {
    const author = await api.register();
    const reader = await api.register();
    await api.follow(reader, author);
    await api.homeIds(reader);
    // What a crash between the commit and the enqueue leaves behind: the post and its outbox row.
    const { rows } = await sql.query(
      `WITH p AS (INSERT INTO posts (id, author_id, text) VALUES (next_post_id(), $1, 'orphan') RETURNING id),
            s AS (INSERT INTO post_fanouts (post_id) SELECT id FROM p)
       INSERT INTO outbox (kind, job_id, payload)
       SELECT 'fanout-post', 'post-' || id, json_build_object('postId', id::text, 'authorId', $1::text) FROM p
       RETURNING payload->>'postId' AS id`,
      [author.id],
    );
    const orphan = rows[0].id as string;
    expect(await redis.lpos(redis.keys.home(reader.id), orphan)).toBeNull();

    const worker = env.spawn(workerEnv);
    await started(worker);
    await eventually(async () => expect(await api.homeIds(reader)).toEqual([orphan]), 30_000);
    await eventually(async () => expect((await status(author, orphan)).state).toBe('done'));
    // The fan-out's state turns done first; its outbox row is marked done by the same job just after.
    await eventually(async () => {
      const outbox = await sql.query(`SELECT done_at FROM outbox WHERE job_id = $1`, [`post-${orphan}`]);
      expect(outbox.rows[0].done_at).not.toBeNull();
    });
    worker.kill('SIGTERM');
    expect(await exited(worker)).toBe(0);
  });

  it('rebuilds complete, ordered home timelines after Redis is flushed', async () => {
    const worker = await env.startWorker(workerEnv);
    const users = [await api.register(), await api.register(), await api.register()];
    await api.follow(users[0], users[1]);
    await api.follow(users[0], users[2]);
    await api.follow(users[1], users[2]);
    for (const user of users) await api.homeIds(user);
    for (let i = 0; i < 5; i++) for (const user of users) await api.createPost(user, `${user.username} ${i}`);
    const expected = await eventually(async () => {
      const timelines = await Promise.all(users.map((u) => api.homeIds(u, '?limit=100')));
      expect(timelines.map((t) => t.length)).toEqual([15, 10, 5]);
      return timelines;
    });
    for (const timeline of expected) expect([...timeline].sort((a, b) => (BigInt(b) > BigInt(a) ? 1 : -1))).toEqual(timeline);

    await env.flushRedis();
    // Many readers at once: one rebuilds, the others wait for it.
    const reads = await Promise.all(Array.from({ length: 10 }, () => api.homeIds(users[0], '?limit=100')));
    for (const read of reads) expect(read).toEqual(expected[0]);
    expect(await api.homeIds(users[1], '?limit=100')).toEqual(expected[1]);
    expect(await api.homeIds(users[2], '?limit=100')).toEqual(expected[2]);
    await worker.close();
  });

  it('stores posts while Redis is unreachable and fans them out once it is back', async () => {
    // One Redis: a proxy in front of it for this app alone. The cluster: every master suspended.
    const outage = await env.redisOutage();
    const { app, url } = await env.startApp({ ROLE: 'api', ...outage.overrides });
    const cut = new ApiClient(url);
    const author = await cut.register();
    const reader = await cut.register();
    await cut.follow(reader, author);
    await cut.homeIds(reader);
    await cut.homeIds(author);

    await outage.cut();
    const res = await cut.post('/posts', author).send({ text: 'written while Redis is away' });
    expect(res.status).toBe(201);
    const postId = res.body.id as string;
    const { rows } = await sql.query('SELECT text FROM posts WHERE id = $1', [postId]);
    expect(rows[0].text).toBe('written while Redis is away');
    const down = await cut.get('/timelines/home', reader);
    expect(down.status).toBe(503);
    expect(down.body.message).toMatch(/Redis/);
    const health = await cut.get('/health');
    expect(health.status).toBe(503);
    expect(health.body.down).toEqual(['redis']);

    await outage.restore();
    const worker = env.spawn(workerEnv);
    await started(worker);
    await eventually(async () => expect(await cut.homeIds(reader)).toEqual([postId]), 30_000, 200);
    expect(await cut.homeIds(author)).toEqual([postId]);
    worker.kill('SIGTERM');
    expect(await exited(worker)).toBe(0);
    await app.close(); // while its Redis is reachable, so its queues close at once
    await outage.end();
  });
});
