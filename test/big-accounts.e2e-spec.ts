import { Client } from 'pg';
import { ApiClient, eventually, TestUser } from './support/api-client';
import { LiveClient } from './support/live-client';
import { TestEnv } from './support/test-env';
import { TestRedis } from './support/test-redis';
import { createTimelines, homeEntries } from './support/timelines';

jest.setTimeout(90_000);

/**
 * Big accounts and deletes, from review: an author who stops being big keeps every post in their
 * followers' timelines (rule 6), a post deleted before its fan-out ran is written nowhere, and a
 * big account's delete walks no followers.
 */
describe('big accounts and deletes', () => {
  let env: TestEnv;
  let api: ApiClient;
  let sql: Client;
  let redis: TestRedis;
  const clients: LiveClient[] = [];

  beforeAll(async () => {
    env = await TestEnv.create({ FANOUT_CELEBRITY_THRESHOLD: '2' });
    const { url } = await env.startApp();
    api = new ApiClient(url);
    sql = await env.sql();
    redis = env.redis();
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    await env.close();
  });

  const fanoutState = async (author: TestUser, postId: string) => (await api.get(`/posts/${postId}/fanout`, author)).body.state;
  const mergedAtRead = async (user: TestUser) =>
    (await sql.query('SELECT merged_at_read FROM users WHERE id = $1', [user.id])).rows[0].merged_at_read as boolean;

  /** An author with three followers, over the threshold of 2, whose followers have read their timelines. */
  async function bigAuthor(): Promise<{ star: TestUser; fans: TestUser[] }> {
    const star = await api.register();
    const fans = [await api.register(), await api.register(), await api.register()];
    for (const fan of fans) {
      await api.follow(fan, star);
      await api.homeIds(fan);
    }
    return { star, fans };
  }

  it('keeps the posts an author wrote while big in their followers’ timelines when they fall back to the threshold (rule 6), caches warm', async () => {
    const { star, fans } = await bigAuthor();
    const big1 = await api.createPost(star, 'while big 1');
    const big2 = await api.createPost(star, 'while big 2');
    await eventually(async () => expect(await fanoutState(star, big2.id)).toBe('skipped'));
    const [stay1, stay2, leaver] = fans;
    for (const fan of [stay1, stay2]) {
      await eventually(async () => expect(await api.homeIds(fan)).toEqual([big2.id, big1.id]));
      expect(await homeEntries(redis, fan.id)).toEqual([]); // merged at read, never written
    }

    // Down to 2 followers, the threshold: no longer big, with every cache warm.
    expect((await api.delete(`/users/${star.username}/follow`, leaver)).status).toBe(200);
    for (const fan of [stay1, stay2]) expect(await api.homeIds(fan)).toEqual([big2.id, big1.id]);

    // The next post is fanned out, and the posts of the big days move into the timelines, with no
    // read in between missing one.
    const small = await api.createPost(star, 'small again');
    await eventually(
      async () => {
        for (const fan of [stay1, stay2]) expect(await api.homeIds(fan)).toEqual([small.id, big2.id, big1.id]);
        expect(await mergedAtRead(star)).toBe(false);
      },
      30_000,
    );
    await eventually(async () => expect(await fanoutState(star, small.id)).toBe('done'));
    for (const fan of [stay1, stay2]) {
      expect(await homeEntries(redis, fan.id)).toEqual([big1.id, big2.id, small.id]);
      expect(await api.homeIds(fan)).toEqual([small.id, big2.id, big1.id]);
    }
    // The one who left has none of them.
    expect(await api.homeIds(leaver)).toEqual([]);
  });

  it('merges a shrinking author’s posts at read until they are settled, even when no new post comes', async () => {
    const { star, fans } = await bigAuthor();
    const big1 = await api.createPost(star, 'only while big');
    await eventually(async () => expect(await fanoutState(star, big1.id)).toBe('skipped'));
    await api.delete(`/users/${star.username}/follow`, fans[2]);
    // A reader whose cached list of big followees is gone (expired, or a follow elsewhere) still gets it.
    const other = await api.register();
    await api.follow(fans[0], other);
    for (const fan of fans.slice(0, 2)) await eventually(async () => expect(await api.homeIds(fan)).toEqual([big1.id]));
    expect(await mergedAtRead(star)).toBe(true);
  });

  it('writes a post deleted before its fan-out ran into no timeline', async () => {
    const apiOnly = await TestEnv.create();
    try {
      const { url } = await apiOnly.startApp({ ROLE: 'api' });
      const a = new ApiClient(url);
      const author = await a.register();
      const reader = await a.register();
      await a.follow(reader, author);
      await createTimelines(apiOnly.redis(), [reader.id, author.id]);
      const keep = await a.createPost(author, 'stays');
      const gone = await a.createPost(author, 'deleted before its fan-out');
      expect((await a.delete(`/posts/${gone.id}`, author)).status).toBe(204);

      // Only now do the workers start: the fan-out finds the post deleted.
      await apiOnly.startWorker();
      const psql = await apiOnly.sql();
      await eventually(async () => {
        const { rows } = await psql.query('SELECT count(*)::int AS open FROM outbox WHERE done_at IS NULL');
        expect(rows[0].open).toBe(0);
      }, 30_000);
      const r = apiOnly.redis();
      expect(await homeEntries(r, reader.id)).toEqual([keep.id]);
      expect(await homeEntries(r, author.id)).toEqual([keep.id]);
      expect(await a.homeIds(reader)).toEqual([keep.id]);
    } finally {
      await apiOnly.close();
    }
  });

  it('deletes a big account’s post with one emit to its room and lazy clean-up, walking no followers', async () => {
    const { star, fans } = await bigAuthor();
    const live = await LiveClient.connect(api.url, fans[0].token);
    clients.push(live);
    const earlier = await api.createPost(star, 'stays');
    const post = await api.createPost(star, 'big and soon gone');
    await eventually(async () => expect(live.posts.map((p) => p.id)).toContain(post.id));
    expect(await fanoutState(star, post.id)).toBe('skipped');
    // A late follower gets it merged into their timeline on follow; and one fan's timeline is made to
    // hold it, as a walk over the followers would find it.
    const late = await api.register();
    await api.homeIds(late);
    await api.follow(late, star);
    await eventually(async () => expect(await homeEntries(redis, late.id)).toContain(post.id));
    await redis.lpush(redis.keys.home(fans[1].id), post.id); // the newest post: its place is the head

    expect((await api.delete(`/posts/${post.id}`, star)).status).toBe(204);
    await eventually(async () => expect(live.deletes).toContain(post.id));
    await eventually(async () => {
      const { rows } = await sql.query('SELECT done_at FROM outbox WHERE job_id = $1', [`delete-${post.id}`]);
      expect(rows[0].done_at).not.toBeNull();
    });
    // No walk: the followers' timelines still hold it...
    expect(await homeEntries(redis, fans[1].id)).toContain(post.id);
    expect(await homeEntries(redis, late.id)).toContain(post.id);
    // ...until they are read: the reader never sees it, and a read that finds it in Redis drops it.
    for (const reader of [fans[1], late]) {
      await eventually(async () => {
        expect(await api.homeIds(reader)).toEqual([earlier.id]);
        expect(await homeEntries(redis, reader.id)).not.toContain(post.id);
      });
    }
  });
});
