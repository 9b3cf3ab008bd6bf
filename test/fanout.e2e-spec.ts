import { Client } from 'pg';
import { ApiClient, eventually, TestUser } from './support/api-client';
import { seedFollowers } from './support/seed';
import { TestEnv } from './support/test-env';
import { TestRedis } from './support/test-redis';
import { countHolding, createTimelines } from './support/timelines';

jest.setTimeout(120_000);

describe('fan-out on write', () => {
  let env: TestEnv;
  let api: ApiClient;
  let sql: Client;
  let redis: TestRedis;

  beforeAll(async () => {
    env = await TestEnv.create({ FANOUT_CELEBRITY_THRESHOLD: '20000', FANOUT_BATCH_SIZE: '1000' });
    const { url } = await env.startApp();
    api = new ApiClient(url);
    sql = await env.sql();
    redis = env.redis();
  });

  afterAll(() => env.close());

  const fanoutStatus = async (user: TestUser, postId: string) => (await api.get(`/posts/${postId}/fanout`, user)).body;

  it('writes a post into all 10,000 follower timelines, once each, and reports it done', async () => {
    const author = await api.register();
    const followers = await seedFollowers(sql, author.id, 10_000);
    await createTimelines(redis, followers);

    const post = await api.createPost(author, 'to ten thousand');
    const status = await eventually(async () => {
      const s = await fanoutStatus(author, post.id);
      expect(s.state).toBe('done');
      return s;
    }, 60_000);

    expect(status).toMatchObject({ postId: post.id, followers: 10_000, delivered: 10_000 });
    expect(status.delayMs).toBeGreaterThanOrEqual(0);
    expect(new Date(status.finishedAt).getTime()).toBeGreaterThanOrEqual(new Date(status.startedAt).getTime());
    expect(await countHolding(redis, followers, post.id)).toBe(10_000);
    // Once each: the post id above the end-of-history sentinel of each (empty, complete) timeline.
    const lists = await Promise.all(followers.slice(0, 50).map((id) => redis.lrange(redis.keys.home(id), 0, -1)));
    expect(new Set(lists.map((list) => list.join(',')))).toEqual(new Set([`${post.id},0`]));
  });

  it('shows the fan-out status to the author only', async () => {
    const author = await api.register();
    const other = await api.register();
    const post = await api.createPost(author, 'status');
    expect((await api.get(`/posts/${post.id}/fanout`, other)).status).toBe(403);
    expect((await api.get('/posts/999999999/fanout', author)).status).toBe(404);
    expect((await api.get('/posts/abc/fanout', author)).status).toBe(400);
    const status = await eventually(async () => {
      const s = await fanoutStatus(author, post.id);
      expect(s.state).toBe('done');
      return s;
    });
    expect(status).toMatchObject({ followers: 0, delivered: 0 });
  });

  it('keeps timelines newest first and capped at TIMELINE_MAX_LENGTH', async () => {
    const capped = await TestEnv.create({ TIMELINE_MAX_LENGTH: '5' });
    try {
      const { url } = await capped.startApp();
      const capi = new ApiClient(url);
      const author = await capi.register();
      const reader = await capi.register();
      await capi.follow(reader, author);
      await capi.homeIds(reader); // the reader's timeline exists, as for an active user
      const ids: string[] = [];
      for (let i = 0; i < 8; i++) ids.push((await capi.createPost(author, `post ${i}`)).id);
      // The window in Redis holds the newest 5, newest first (the end-of-history sentinel is gone)...
      const key = capped.keys.home(reader.id);
      const cappedRedis = capped.redis();
      await eventually(async () => expect(await cappedRedis.lrange(key, 0, -1)).toEqual(ids.slice(-5).reverse()));
      // ...and the home timeline reads on past it, from PostgreSQL.
      expect(await capi.homeIds(reader)).toEqual([...ids].reverse());
    } finally {
      await capped.close();
    }
  });

  it('merges a followee’s recent posts on follow and removes them on unfollow', async () => {
    const author = await api.register();
    const reader = await api.register();
    const own = await api.createPost(reader, 'mine');
    const a1 = await api.createPost(author, 'one');
    const a2 = await api.createPost(author, 'two');
    expect(await api.homeIds(reader)).toEqual([own.id]);

    await api.follow(reader, author);
    await eventually(async () => expect(await api.homeIds(reader)).toEqual([a2.id, a1.id, own.id]));

    const res = await api.delete(`/users/${author.username}/follow`, reader);
    expect(res.body).toEqual({ following: false });
    await eventually(async () => expect(await api.homeIds(reader)).toEqual([own.id]));
  });

  it('removes a deleted post from every timeline it reached', async () => {
    const author = await api.register();
    const readers = [await api.register(), await api.register()];
    for (const reader of readers) await api.follow(reader, author);
    for (const reader of readers) await api.homeIds(reader);
    const post = await api.createPost(author, 'soon gone');
    const keep = await api.createPost(author, 'stays');
    for (const reader of readers) {
      await eventually(async () => expect(await api.homeIds(reader)).toEqual([keep.id, post.id]));
    }
    expect((await api.delete(`/posts/${post.id}`, author)).status).toBe(204);
    for (const reader of readers) {
      await eventually(async () => expect(await api.homeIds(reader)).toEqual([keep.id]));
      await eventually(async () => expect(await redis.lpos(redis.keys.home(reader.id), post.id)).toBeNull());
    }
    expect(await api.homeIds(author)).toEqual([keep.id]);
  });

  it('skips followers inactive for longer than FANOUT_INACTIVE_DAYS and rebuilds their timeline when they return', async () => {
    const author = await api.register();
    const active = await api.register();
    const away = await api.register();
    for (const reader of [active, away]) {
      await api.follow(reader, author);
      await api.homeIds(reader);
    }
    await sql.query(`UPDATE users SET last_active_at = now() - interval '31 days' WHERE id = $1`, [away.id]);
    // The activity mark is throttled through Redis; drop it so the return is noticed.
    await redis.del(redis.keys.lastSeen(away.id));

    const post = await api.createPost(author, 'while you were away');
    await eventually(async () => expect((await fanoutStatus(author, post.id)).state).toBe('done'));
    expect(await redis.lpos(redis.keys.home(active.id), post.id)).not.toBeNull();
    expect(await redis.lpos(redis.keys.home(away.id), post.id)).toBeNull();

    expect(await api.homeIds(away)).toEqual([post.id]);
    // The activity write is off the read's path: it lands just after the answer.
    await eventually(async () => {
      const { rows } = await sql.query(`SELECT last_active_at > now() - interval '1 minute' AS fresh FROM users WHERE id = $1`, [away.id]);
      expect(rows[0].fresh).toBe(true);
    });
  });

  it('does not fan out posts of big accounts but merges them into followers’ timelines at read, in order', async () => {
    const small = await TestEnv.create({ FANOUT_CELEBRITY_THRESHOLD: '2' });
    try {
      const { url } = await small.startApp();
      const sapi = new ApiClient(url);
      const star = await sapi.register();
      const friend = await sapi.register();
      const fans = [await sapi.register(), await sapi.register(), await sapi.register()];
      for (const fan of fans) {
        await sapi.follow(fan, star);
        await sapi.homeIds(fan);
      }
      await sapi.follow(fans[0], friend);
      const s1 = await sapi.createPost(star, 'star one');
      const f1 = await sapi.createPost(friend, 'friend one');
      const s2 = await sapi.createPost(star, 'star two');
      const status = await eventually(async () => {
        const s = (await sapi.get(`/posts/${s2.id}/fanout`, star)).body;
        expect(s.state).toBe('skipped');
        return s;
      });
      expect(status.followers).toBe(3);
      expect(await small.redis().lpos(small.keys.home(fans[1].id), s2.id)).toBeNull();

      await eventually(async () => expect(await sapi.homeIds(fans[0])).toEqual([s2.id, f1.id, s1.id]));
      expect(await sapi.homeIds(fans[1])).toEqual([s2.id, s1.id]);
      expect(await sapi.homeIds(fans[1], '?limit=1')).toEqual([s2.id]);
      const page = (await sapi.get('/timelines/home?limit=1', fans[1])).body;
      expect(await sapi.homeIds(fans[1], `?limit=1&cursor=${page.nextCursor}`)).toEqual([s1.id]);
      expect(await sapi.homeIds(fans[0], `?since=${s1.id}`)).toEqual([s2.id, f1.id]);

      await sapi.delete(`/users/${star.username}/follow`, fans[2]);
      expect(await sapi.homeIds(fans[2])).toEqual([]);
    } finally {
      await small.close();
    }
  });

  it('keeps a full timeline newest first, capped, under 24 bytes an entry, as posts keep arriving', async () => {
    const author = await api.register();
    const reader = await api.register();
    await api.follow(reader, author);
    // A timeline at steady state: 800 older posts, newest first.
    const key = redis.keys.home(reader.id);
    const old = Array.from({ length: 800 }, (_, i) => String((800 - i) * 4096));
    await redis.rpush(key, ...old);

    const posts: { id: string }[] = [];
    for (let i = 0; i < 3; i++) posts.push(await api.createPost(author, `steady ${i}`));
    await eventually(async () => expect((await fanoutStatus(author, posts[2].id)).state).toBe('done'));
    // The three new posts on top, the three oldest trimmed.
    expect(await redis.lrange(key, 0, -1)).toEqual([...posts.map((p) => p.id).reverse(), ...old.slice(0, 797)]);
    expect(Number(await redis.memory('USAGE', key)) / 800).toBeLessThanOrEqual(24);
  });

  it('exports fan-out metrics in Prometheus format', async () => {
    const res = await api.get('/metrics');
    expect(res.status).toBe(200);
    // By following size; the fan-outs of this file's earlier tests are counted.
    expect(res.text).toMatch(/feed_fanout_delay_seconds_count\{followers="(<=|>)\d+"\} [1-9]/);
    expect(res.text).toMatch(/feed_fanout_deliveries_total \d+/);
    expect(res.text).toMatch(/feed_queue_depth\{queue="fanout"\} \d+/);
    expect(res.text).toMatch(/feed_http_request_duration_seconds_bucket\{.*route="\/posts"/);
    expect(res.text).toContain('feed_job_failures_total');
  });
});
