import { INestApplicationContext } from '@nestjs/common';
import { getQueueToken } from '@nestjs/bullmq';
import { Queue } from 'bullmq';
import { Client } from 'pg';
import { QueueName } from '../src/jobs/job-catalogue';
import { RetentionService } from '../src/retention/retention.service';
import { expectError } from './expect-error';
import { ApiClient, eventually, TestUser } from './support/api-client';
import { TestEnv } from './support/test-env';
import { TestRedis } from './support/test-redis';
import { createTimelines } from './support/timelines';

jest.setTimeout(90_000);

const DAY_S = 86_400;

/**
 * Retention against real PostgreSQL and Redis. Time is moved forward by moving timestamps back in
 * SQL (or shortening a key's TTL), never waited for.
 */
describe('retention: old bookkeeping and deleted posts go, timelines of inactive users expire', () => {
  let env: TestEnv;
  let api: ApiClient;
  let sql: Client;
  let redis: TestRedis;
  let worker: INestApplicationContext;

  beforeAll(async () => {
    env = await TestEnv.create({ RETENTION_DAYS: '7' });
    const { url } = await env.startApp({ ROLE: 'api' });
    api = new ApiClient(url);
    sql = await env.sql();
    redis = env.redis();
    worker = await env.startWorker();
    // The scheduler's first run comes at start-up; let it pass, so the runs below are the test's own.
    const maintenance = worker.get<Queue>(getQueueToken(QueueName.Maintenance), { strict: false });
    await eventually(async () => expect(await maintenance.getCompletedCount()).toBeGreaterThanOrEqual(1));
  });

  afterAll(() => env.close());

  const status = async (user: TestUser, postId: string) => (await api.get(`/posts/${postId}/fanout`, user)).body;
  const fannedOut = (user: TestUser, postId: string) => eventually(async () => expect((await status(user, postId)).state).toBe('done'));
  const postRow = async (id: string) => (await sql.query('SELECT text, deleted_at FROM posts WHERE id = $1', [id])).rows[0];
  const daysAgo = (column: string) => `${column} = ${column} - interval '8 days'`;

  it('prunes finished outbox rows, fan-out records and dead letters, and purges deleted posts, after RETENTION_DAYS only', async () => {
    const author = await api.register();
    const reader = await api.register();
    await api.follow(reader, author);
    await api.homeIds(reader);
    const old = await api.createPost(author, 'old and fanned out');
    const recent = await api.createPost(author, 'recent');
    const gone = await api.createPost(author, 'deleted long ago');
    const answered = await api.createPost(author, 'deleted long ago, but answered');
    const deletedRecently = await api.createPost(author, 'deleted yesterday');
    for (const post of [old, recent, gone, answered, deletedRecently]) await fannedOut(author, post.id);
    const reply = await api.post('/posts', reader).send({ text: 'an answer', replyToId: answered.id });
    expect(reply.status).toBe(201);
    for (const post of [gone, answered, deletedRecently]) expect((await api.delete(`/posts/${post.id}`, author)).status).toBe(204);
    await eventually(async () => {
      const { rows } = await sql.query(`SELECT count(*)::int AS n FROM outbox WHERE done_at IS NULL`);
      expect(rows[0].n).toBe(0);
    });

    // Eight days pass for some of it.
    await sql.query(`UPDATE post_fanouts SET ${daysAgo('finished_at')} WHERE post_id = ANY($1)`, [[old.id, gone.id]]);
    await sql.query(`UPDATE outbox SET ${daysAgo('done_at')} WHERE job_id = $1`, [`post-${old.id}`]);
    await sql.query(`UPDATE posts SET ${daysAgo('deleted_at')} WHERE id = ANY($1)`, [[gone.id, answered.id]]);
    await sql.query(
      `INSERT INTO outbox (kind, job_id, payload, attempts, dead_at) VALUES
         ('fanout-post', 'post-1', '{"postId":"1","authorId":"1"}', 5, now() - interval '8 days'),
         ('fanout-post', 'post-2', '{"postId":"2","authorId":"1"}', 5, now() - interval '1 day')`,
    );
    await sql.query(`INSERT INTO idempotency_keys (user_id, key, post_id, created_at) VALUES ($1, 'stale', 1, now() - interval '2 days')`, [
      author.id,
    ]);

    const report = await worker.get(RetentionService, { strict: false }).run();
    // The fan-out records of `old` and of `gone`, finished eight days ago.
    expect(report).toEqual({ outboxDone: 1, outboxDead: 1, fanouts: 2, deletedPosts: 1, clearedTexts: 1, idempotencyKeys: 1 });

    // Bookkeeping of the old post is gone; the post itself stays.
    await expectError(await api.get(`/posts/${old.id}/fanout`, author), 404, /no longer kept/);
    expect((await api.get(`/posts/${old.id}`, reader)).status).toBe(200);
    expect((await sql.query('SELECT 1 FROM outbox WHERE job_id = $1', [`post-${old.id}`])).rowCount).toBe(0);
    expect((await status(author, recent.id)).state).toBe('done');
    expect((await sql.query('SELECT 1 FROM outbox WHERE job_id = $1', [`post-${recent.id}`])).rowCount).toBe(1);
    expect((await sql.query(`SELECT job_id FROM outbox WHERE dead_at IS NOT NULL`)).rows).toEqual([{ job_id: 'post-2' }]);
    expect((await sql.query(`SELECT 1 FROM idempotency_keys WHERE key = 'stale'`)).rowCount).toBe(0);

    // The post deleted long ago is gone for good (its fan-out rows with it); the recent one stays.
    expect(await postRow(gone.id)).toBeUndefined();
    expect((await sql.query('SELECT 1 FROM post_fanouts WHERE post_id = $1', [gone.id])).rowCount).toBe(0);
    expect((await postRow(deletedRecently.id)).text).toBe('deleted yesterday');
    // One a live reply names stays, so the reply still names it, but its text is cleared.
    expect(await postRow(answered.id)).toMatchObject({ text: '' });
    const replyView = await api.get(`/posts/${reply.body.id}`, reader);
    expect(replyView.body.replyTo.id).toBe(answered.id);

    // Readers never see the difference.
    expect(await api.homeIds(reader)).toEqual([reply.body.id, recent.id, old.id]);

    // Everything is done: the next run finds nothing.
    expect(Object.values(await worker.get(RetentionService, { strict: false }).run())).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('runs on its own as one BullMQ job scheduler, however many workers start', async () => {
    const second = await env.startWorker({ RETENTION_INTERVAL_MS: '1000' });
    const maintenance = second.get<Queue>(getQueueToken(QueueName.Maintenance), { strict: false });
    const schedulers = await maintenance.getJobSchedulers();
    expect(schedulers).toHaveLength(1);
    expect(schedulers[0]).toMatchObject({ key: 'retention', every: 1000 });

    await sql.query(
      `INSERT INTO outbox (kind, job_id, payload, done_at) VALUES ('fanout-post', 'post-3', '{"postId":"3","authorId":"1"}', now() - interval '8 days')`,
    );
    await eventually(async () => expect((await sql.query(`SELECT 1 FROM outbox WHERE job_id = 'post-3'`)).rowCount).toBe(0), 20_000, 100);
    await second.close();
  });

  it('sets an expiry on home timelines, refreshed by activity, and rebuilds one that expired', async () => {
    const author = await api.register();
    const reader = await api.register();
    await api.follow(reader, author);
    await createTimelines(redis, [author.id]);
    await redis.expire(redis.keys.home(author.id), DAY_S);
    const post = await api.createPost(author, 'kept alive by posting');
    const home = redis.keys.home(reader.id);
    const ttl = (key: string) => redis.ttl(key);
    // FANOUT_INACTIVE_DAYS is 30: a timeline lives 31 days past its owner's last activity.
    const full = 31 * DAY_S;
    expect(await ttl(redis.keys.home(author.id))).toBeGreaterThan(full - 60);
    expect(await ttl(redis.keys.home(author.id))).toBeLessThanOrEqual(full);

    await eventually(async () => expect(await api.homeIds(reader)).toEqual([post.id]));
    await eventually(async () => expect(await ttl(home)).toBeGreaterThan(full - 60));

    // Thirty days later, the reader comes back within their last day: the read renews the expiry.
    await redis.expire(home, DAY_S);
    await redis.del(redis.keys.lastSeen(reader.id)); // a new activity period
    expect(await api.homeIds(reader)).toEqual([post.id]);
    expect(await ttl(home)).toBeGreaterThan(full - 60);

    // Gone (expired): the next read is served from PostgreSQL and the timeline is rebuilt, with its expiry.
    await redis.expire(home, 0);
    expect(await redis.exists(home)).toBe(0);
    expect(await api.homeIds(reader)).toEqual([post.id]);
    await eventually(async () => expect(await redis.lrange(home, 0, -1)).toEqual([post.id, '0']));
    expect(await ttl(home)).toBeGreaterThan(full - 60);
  });
});
