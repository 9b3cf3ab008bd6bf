import { Client } from 'pg';
import { expectError } from './expect-error';
import { ApiClient, eventually, TestUser } from './support/api-client';
import { seedFollowers } from './support/seed';
import { TcpProxy } from './support/tcp-proxy';
import { TestEnv } from './support/test-env';
import { TestRedis } from './support/test-redis';
import { countHolding, createTimelines } from './support/timelines';

jest.setTimeout(240_000);

/**
 * PostgreSQL taken away from the service and given back, through a TCP proxy in front of it (the
 * test's own SQL client goes around the proxy). The API and a worker run in this process.
 */
describe('PostgreSQL faults: 503 while it is away, nothing lost when it is back', () => {
  let env: TestEnv;
  let sql: Client;
  let redis: TestRedis;

  beforeAll(async () => {
    env = await TestEnv.create({ FANOUT_CELEBRITY_THRESHOLD: '1000000' });
    sql = await env.sql();
    redis = env.redis();
  });

  afterAll(() => env.close());

  it('answers 503, in the contract’s shape, when a statement runs past DATABASE_STATEMENT_TIMEOUT_MS', async () => {
    const { app, url } = await env.startApp({ ROLE: 'api', DATABASE_STATEMENT_TIMEOUT_MS: '300' });
    const api = new ApiClient(url);
    const author = await api.register();
    // A migration or a long transaction holding the table: the insert waits for it, then is cut.
    const holder = await env.sql();
    await holder.query('BEGIN');
    await holder.query('LOCK TABLE posts IN ACCESS EXCLUSIVE MODE');
    try {
      expectError(await api.post('/posts', author).send({ text: 'waits for the lock' }), 503, /PostgreSQL is unavailable/);
    } finally {
      await holder.query('ROLLBACK');
    }
    expect((await api.post('/posts', author).send({ text: 'after the lock' })).status).toBe(201);
    await app.close();
  });

  it('during posting and during a fan-out: 503s, never a 500, and every accepted post is fanned out once it is back', async () => {
    const pg = new URL(env.databaseUrl);
    const proxy = new TcpProxy(Number(pg.port || 5432), pg.hostname);
    await proxy.start();
    const proxied = new URL(env.databaseUrl);
    proxied.port = String(proxy.port);
    const through = { DATABASE_URL: proxied.toString() };
    const { app, url } = await env.startApp({ ROLE: 'api', ...through });
    const api = new ApiClient(url);
    // A slow, finely checkpointed fan-out, so the outage catches it in the middle.
    const worker = await env.startWorker({ ...through, FANOUT_BATCH_SIZE: '250', FANOUT_CHUNK_SIZE: '5000' });

    const author = await api.register();
    const reader = await api.register();
    await api.follow(reader, author);
    await api.homeIds(reader);
    const followers = await seedFollowers(sql, author.id, 50_000);
    await createTimelines(redis, followers);
    const fanoutState = async (postId: string) =>
      (await sql.query('SELECT state, followers, delivered FROM post_fanouts WHERE post_id = $1', [postId])).rows[0];
    const delivered = async (postId: string) =>
      (await sql.query('SELECT coalesce(sum(delivered), 0)::int AS n FROM fanout_chunks WHERE post_id = $1', [postId])).rows[0].n;

    const accepted: string[] = [(await api.createPost(author, 'before the outage')).id];
    await eventually(async () => expect(await delivered(accepted[0])).toBeGreaterThanOrEqual(2_000), 60_000, 20);

    await proxy.cut();
    expect((await fanoutState(accepted[0])).state).toBe('running');
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await api.post('/posts', author).send({ text: `during the outage ${i}` });
      statuses.push(res.status);
      if (res.status === 201) accepted.push(res.body.id);
      else expectError(res, 503, /PostgreSQL is unavailable/);
    }
    const reads = [
      await api.get(`/posts/${accepted[0]}/fanout`, author),
      await api.get('/timelines/home', reader),
      await api.get(`/users/${author.username}`, reader),
    ];
    for (const res of reads) {
      statuses.push(res.status);
      if (res.status !== 200) expectError(res, 503, /unavailable/);
    }
    const health = await api.get('/health');
    expect(health.status).toBe(503);
    expect(health.body.down).toEqual(['postgres']);
    expect(statuses).not.toContain(500);
    expect(statuses.slice(0, 3)).toEqual([503, 503, 503]);

    await proxy.start();
    // The pool drops its dead connections and opens new ones: posting works again.
    const after = await eventually(async () => {
      const res = await api.post('/posts', author).send({ text: 'after the outage' });
      expect(res.status).toBe(201);
      return res.body.id as string;
    }, 30_000, 200);
    accepted.push(after);

    for (const postId of accepted) {
      await eventually(async () => expect(await fanoutState(postId)).toMatchObject({ state: 'done', delivered: 50_001 }), 180_000, 250);
    }
    expect(await countHolding(redis, followers, accepted[0])).toBe(50_000);
    expect(await api.homeIds(reader)).toEqual([...accepted].reverse());
    await worker.close();
    await app.close();
    await proxy.stop();
  });
});
