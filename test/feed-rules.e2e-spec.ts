import { Client } from 'pg';
import { ApiClient, eventually, TestUser } from './support/api-client';
import { LiveClient } from './support/live-client';
import { seedFollowers } from './support/seed';
import { TestEnv } from './support/test-env';
import { TestRedis } from './support/test-redis';
import { createTimelines, forgetInRedis, homeEntries, isHomeComplete } from './support/timelines';

jest.setTimeout(60_000);

/** Whatever is big here: an account with more than 3 followers is merged at read, not fanned out. */
const THRESHOLD = 3;
/** A small Redis window, so that deep pages come from PostgreSQL after a dozen posts. */
const WINDOW = 12;

/**
 * Rules 2 (reposts: false), 4 (blocks) and 5 (mutes) through every path that can put a post in
 * front of a reader (API.md, "Added in version 2"): what fan-out writes, what a big account's
 * merge brings, the follow backfill, a rebuild after Redis lost the timeline, deep pages from
 * PostgreSQL, the live push (to one user and to a big account's room) and timeline:sync.
 */
describe('feed rules: blocks, mutes and hidden reposts on every path', () => {
  let env: TestEnv;
  let api: ApiClient;
  let url: string;
  let sql: Client;
  let redis: TestRedis;
  const clients: LiveClient[] = [];

  beforeAll(async () => {
    env = await TestEnv.create({ FANOUT_CELEBRITY_THRESHOLD: String(THRESHOLD), TIMELINE_MAX_LENGTH: String(WINDOW) });
    ({ url } = await env.startApp());
    api = new ApiClient(url);
    sql = await env.sql();
    redis = env.redis();
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    await env.close();
  });

  /** New users with their (empty, complete) home timelines in Redis, as active users have them. */
  const users = async (n: number): Promise<TestUser[]> => {
    const made: TestUser[] = [];
    for (let i = 0; i < n; i++) made.push(await api.register());
    await createTimelines(redis, made.map((user) => user.id));
    return made;
  };
  const ok = async (res: Promise<{ status: number; body: unknown }> | { status: number; body: unknown }, status = 200) => {
    const r = await res;
    if (r.status !== status) throw new Error(`expected ${status}, got ${r.status}: ${JSON.stringify(r.body)}`);
    return r.body as Record<string, unknown>;
  };
  const mute = (who: TestUser, whom: TestUser) => ok(api.post(`/users/${whom.username}/mute`, who));
  const unmute = (who: TestUser, whom: TestUser) => ok(api.delete(`/users/${whom.username}/mute`, who));
  const block = (who: TestUser, whom: TestUser) => ok(api.post(`/users/${whom.username}/block`, who));
  const followHidingReposts = (who: TestUser, whom: TestUser) => ok(api.post(`/users/${whom.username}/follow`, who).send({ reposts: false }));
  const repost = async (who: TestUser, postId: string) => (await ok(api.post(`/posts/${postId}/repost`, who), 201)) as { id: string };
  /** Waits for the post's fan-out (done, or skipped for a big account). */
  const fannedOut = (author: TestUser, postId: string) =>
    eventually(async () => expect(['done', 'skipped']).toContain((await api.get(`/posts/${postId}/fanout`, author)).body.state));
  /** Waits until every background job recorded so far (follow merges, unmerges, fan-outs) is done. */
  const settled = () =>
    eventually(async () => expect((await sql.query('SELECT count(*)::int AS n FROM outbox WHERE done_at IS NULL')).rows[0].n).toBe(0));
  /** Makes an account big by giving it seeded followers beyond the threshold. */
  const makeBig = (user: TestUser) => seedFollowers(sql, user.id, THRESHOLD + 1, `big${user.id}_`);
  const connect = async (user: TestUser) => {
    const client = await LiveClient.connect(url, user.token);
    clients.push(client);
    return client;
  };
  /** Every post id of the home timeline, page after page (limit 5), newest first. */
  const wholeHome = async (user: TestUser): Promise<string[]> => {
    const ids: string[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 100; pages++) {
      const body = await ok(api.get(`/timelines/home?limit=5${cursor ? `&cursor=${cursor}` : ''}`, user));
      ids.push(...(body.items as { id: string }[]).map((p) => p.id));
      cursor = body.nextCursor as string | null;
      if (cursor === null) return ids;
    }
    throw new Error('home timeline never ended');
  };

  describe('fan-out', () => {
    it('skips a reader who mutes the author, and writes to the others', async () => {
      const [author, muter, other] = await users(3);
      await api.follow(muter, author);
      await api.follow(other, author);
      await mute(muter, author);
      const post = await api.createPost(author, 'muted at write time');
      await fannedOut(author, post.id);
      expect(await homeEntries(redis, other.id)).toContain(post.id);
      expect(await homeEntries(redis, muter.id)).not.toContain(post.id);
      expect(await api.homeIds(other)).toContain(post.id);
      expect(await api.homeIds(muter)).not.toContain(post.id);
    });

    it('skips, for a repost: a reader hiding the reposter’s reposts, muting or blocked either way with the original author', async () => {
      // Two reposters of at most THRESHOLD followers each, so both are fanned out on write.
      // Two readers who may see them: one reader following both would see only the first (rule 2's dedup).
      const [author, first, second, hides, muter, blocker, blocked, other, other2] = await users(9);
      await followHidingReposts(hides, first);
      for (const reader of [muter, other]) await api.follow(reader, first);
      for (const reader of [blocker, blocked, other2]) await api.follow(reader, second);
      await mute(muter, author);
      await block(blocker, author);
      await block(author, blocked);
      const original = await api.createPost(author, 'an original');
      const shares = [await repost(first, original.id), await repost(second, original.id)];
      await fannedOut(first, shares[0].id);
      await fannedOut(second, shares[1].id);
      expect(await homeEntries(redis, other.id)).toContain(shares[0].id);
      expect(await homeEntries(redis, other2.id)).toContain(shares[1].id);
      for (const [reader, shared] of [
        [hides, shares[0]],
        [muter, shares[0]],
        [blocker, shares[1]],
        [blocked, shares[1]],
      ] as const) {
        expect(await homeEntries(redis, reader.id)).not.toContain(shared.id);
        expect(await api.homeIds(reader)).not.toContain(shared.id);
      }
      // reposts: false hides reposts only: the reposter's own posts still arrive.
      const own = await api.createPost(first, 'an own post');
      await fannedOut(first, own.id);
      expect(await api.homeIds(hides)).toContain(own.id);
    });
  });

  describe('entries already in a timeline when a rule starts to apply', () => {
    it('leave the home read at once on a mute, then the Redis timeline and open screens; all come back on the unmute', async () => {
      const [author, reader] = await users(2);
      await api.follow(reader, author);
      const post = await api.createPost(author, 'before the mute');
      await fannedOut(author, post.id);
      expect(await api.homeIds(reader)).toContain(post.id);
      const live = await connect(reader);
      await mute(reader, author);
      expect(await api.homeIds(reader)).not.toContain(post.id);
      await eventually(async () => expect(await homeEntries(redis, reader.id)).not.toContain(post.id));
      await eventually(async () => expect(live.deletes).toContain(post.id));
      await unmute(reader, author);
      await eventually(async () => expect(await homeEntries(redis, reader.id)).toContain(post.id));
      expect(await api.homeIds(reader)).toContain(post.id);
    });

    it('leave the home read at once on a block either way, and leave the Redis timeline like an unfollow', async () => {
      const [author, reader, other] = await users(3);
      await api.follow(reader, author);
      await api.follow(author, reader);
      const theirs = await api.createPost(author, 'before the block');
      const mine = await api.createPost(reader, 'mine, before the block');
      await fannedOut(author, theirs.id);
      await fannedOut(reader, mine.id);
      expect(await api.homeIds(reader)).toContain(theirs.id);
      expect(await api.homeIds(author)).toContain(mine.id);
      await block(author, reader);
      expect(await api.homeIds(reader)).not.toContain(theirs.id);
      expect(await api.homeIds(author)).not.toContain(mine.id);
      await eventually(async () => {
        expect(await homeEntries(redis, reader.id)).not.toContain(theirs.id);
        expect(await homeEntries(redis, author.id)).not.toContain(mine.id);
      });
      // A repost by a third account of the blocked account's post stays out too.
      await api.follow(reader, other);
      const shared = await repost(other, theirs.id);
      await fannedOut(other, shared.id);
      expect(await api.homeIds(reader)).not.toContain(shared.id);
    });
  });

  describe('big accounts (merged at read, pushed to a room)', () => {
    it('leaves a muted big account’s posts out of the merge, and a big reposter’s reposts of muted or hidden ones', async () => {
      const [star, reader, fan, hides, author] = await users(5);
      await makeBig(star);
      await api.follow(reader, star);
      await api.follow(fan, star);
      await followHidingReposts(hides, star);
      await mute(reader, author);
      const post = await api.createPost(star, 'a big post');
      await fannedOut(star, post.id);
      expect((await api.get(`/posts/${post.id}/fanout`, star)).body.state).toBe('skipped');
      expect(await api.homeIds(fan)).toContain(post.id);
      expect(await api.homeIds(hides)).toContain(post.id);
      expect(await api.homeIds(reader)).toContain(post.id);

      const original = await api.createPost(author, 'reposted by a star');
      const shared = await repost(star, original.id);
      await fannedOut(star, shared.id);
      expect(await api.homeIds(fan)).toContain(shared.id);
      expect(await api.homeIds(hides)).not.toContain(shared.id);
      expect(await api.homeIds(reader)).not.toContain(shared.id);

      await mute(reader, star);
      const later = await api.createPost(star, 'after the mute');
      await fannedOut(star, later.id);
      expect(await api.homeIds(fan)).toContain(later.id);
      const readerHome = await api.homeIds(reader);
      expect(readerHome).not.toContain(later.id);
      expect(readerHome).not.toContain(post.id);
    });

    it('pushes a big account’s post to its room except to readers the rules keep out', async () => {
      const [star, fan, muter, hides, author, authorMuter, lateFollower] = await users(7);
      await makeBig(star);
      for (const reader of [fan, muter, authorMuter]) await api.follow(reader, star);
      await followHidingReposts(hides, star);
      await mute(authorMuter, author);
      // Make the star known as big before the sockets connect, so they join its room.
      await fannedOut(star, (await api.createPost(star, 'warm up')).id);
      const live = { fan: await connect(fan), muter: await connect(muter), hides: await connect(hides), authorMuter: await connect(authorMuter) };
      // Muted while connected: the socket leaves the room, and the push is kept from it anyway.
      await mute(muter, star);
      // Muted, then followed while connected: the socket never joins the room.
      await mute(lateFollower, star);
      const late = await connect(lateFollower);
      await api.follow(lateFollower, star);
      const original = await api.createPost(author, 'reposted live');
      const shared = await repost(star, original.id);
      const post = await api.createPost(star, 'live big post');
      await eventually(async () => expect(live.fan.posts.map((p) => p.id)).toEqual(expect.arrayContaining([shared.id, post.id])));
      await eventually(async () => expect(live.hides.posts.map((p) => p.id)).toContain(post.id));
      await eventually(async () => expect(live.authorMuter.posts.map((p) => p.id)).toContain(post.id));
      expect(live.muter.posts.map((p) => p.id)).toEqual([]);
      expect(late.posts.map((p) => p.id)).toEqual([]);
      expect(live.hides.posts.map((p) => p.id)).not.toContain(shared.id);
      expect(live.authorMuter.posts.map((p) => p.id)).not.toContain(shared.id);
    });
  });

  describe('follow backfill', () => {
    it('merges nothing of a muted account, keeps reposts out for reposts: false, and merges again on the unmute', async () => {
      const [author, reposter, reader, other, hides] = await users(5);
      const posts = [await api.createPost(author, 'old 1'), await api.createPost(author, 'old 2')];
      const own = await api.createPost(reposter, 'reposter’s own');
      const shared = await repost(reposter, (await api.createPost(other, 'by other')).id);
      await settled();
      await mute(reader, author);
      await api.follow(reader, author);
      await api.follow(reader, reposter);
      await followHidingReposts(hides, reposter);
      await settled();
      const entries = await homeEntries(redis, reader.id);
      expect(entries).toEqual(expect.arrayContaining([own.id, shared.id]));
      for (const post of posts) expect(entries).not.toContain(post.id);
      const home = await api.homeIds(reader);
      expect(home).toEqual(expect.arrayContaining([own.id, shared.id]));
      for (const post of posts) expect(home).not.toContain(post.id);
      const hidden = await api.homeIds(hides);
      expect(hidden).toContain(own.id);
      expect(hidden).not.toContain(shared.id);

      await unmute(reader, author);
      await settled();
      const after = await homeEntries(redis, reader.id);
      for (const post of posts) expect(after).toContain(post.id);
      expect(await api.homeIds(reader)).toEqual(expect.arrayContaining(posts.map((p) => p.id)));
    });
  });

  describe('reads from PostgreSQL', () => {
    it('rebuilds a lost timeline without a muted account’s posts, and the read that found it lost shows none', async () => {
      const [author, reposter, reader, friend] = await users(4);
      for (const followee of [author, reposter, friend]) await api.follow(reader, followee);
      const muted = await api.createPost(author, 'to be muted');
      const shared = await repost(reposter, muted.id);
      const kept = await api.createPost(friend, 'kept');
      await settled();
      await mute(reader, author);
      await forgetInRedis(redis, { users: [reader.id] });
      const first = await api.homeIds(reader);
      expect(first).toContain(kept.id);
      expect(first).not.toContain(muted.id);
      expect(first).not.toContain(shared.id);
      await eventually(async () => expect(await isHomeComplete(redis, reader.id)).toBe(true));
      const rebuilt = await homeEntries(redis, reader.id);
      expect(rebuilt).toContain(kept.id);
      expect(rebuilt).not.toContain(muted.id);
      const again = await api.homeIds(reader);
      expect(again).toContain(kept.id);
      expect(again).not.toContain(shared.id);
    });

    it('keeps the rules on deep pages, below the Redis window, down to the first post', async () => {
      const [author, friend, reposter, reader] = await users(4);
      for (const followee of [author, friend, reposter]) await api.follow(reader, followee);
      await followHidingReposts(reader, reposter);
      const expected: string[] = [];
      for (let i = 0; i < 10; i++) {
        const mutedPost = await api.createPost(author, `muted ${i}`);
        expected.unshift((await api.createPost(friend, `friend ${i}`)).id);
        expected.unshift((await repost(reposter, mutedPost.id)).id);
      }
      await settled();
      await mute(reader, author);
      const all = await wholeHome(reader);
      // Only the friend's posts: the reposts are by an account whose reposts the reader hides, and
      // of a muted account's posts, and the muted account's own posts are out.
      expect(all).toEqual(expected.filter((_, i) => i % 2 === 1));
      expect(all).toHaveLength(10);
    });
  });

  describe('live push and timeline:sync', () => {
    it('pushes nothing that the rules keep out, and timeline:sync returns the same as the home read', async () => {
      const [author, reposter, friend, reader] = await users(4);
      for (const followee of [author, friend]) await api.follow(reader, followee);
      await followHidingReposts(reader, reposter);
      const before = await api.createPost(friend, 'before');
      await settled();
      await mute(reader, author);
      const live = await connect(reader);
      const muted = await api.createPost(author, 'muted live');
      const shared = await repost(reposter, (await api.createPost(friend, 'friend’s, reposted')).id);
      const last = await api.createPost(friend, 'the last one');
      await fannedOut(reposter, shared.id);
      await fannedOut(author, muted.id);
      await eventually(async () => expect(live.posts.map((p) => p.id)).toContain(last.id));
      const pushed = live.posts.map((p) => p.id);
      expect(pushed).not.toContain(muted.id);
      expect(pushed).not.toContain(shared.id);

      const ack = (await live.sync(before.id)) as { items: { id: string }[]; hasMore: boolean };
      const synced = ack.items.map((p) => p.id);
      expect(synced).toContain(last.id);
      expect(synced).not.toContain(muted.id);
      expect(synced).not.toContain(shared.id);
      expect(synced).toEqual((await api.homeIds(reader, `?since=${before.id}`)));
      expect(ack.hasMore).toBe(false);
    });
  });
});

describe('feed rules: a block while a fan-out of the blocked user’s post is running', () => {
  let env: TestEnv;

  beforeAll(async () => {
    env = await TestEnv.create({ FANOUT_CELEBRITY_THRESHOLD: '1000000', FANOUT_BATCH_SIZE: '100', FANOUT_CHUNK_SIZE: '100000' });
  });

  afterAll(() => env.close());

  it('keeps the post out of the blocker’s home, whichever batch reached them', async () => {
    const { url } = await env.startApp();
    const api = new ApiClient(url);
    const sql = await env.sql();
    const author = await api.register('slow_author');
    await seedFollowers(sql, author.id, 5000);
    // Registered after the seeded followers: a higher id, so a late batch of the walk.
    const blocker = await api.register('late_blocker');
    await api.follow(blocker, author);
    const post = await api.createPost(author, 'a long fan-out');
    await eventually(async () => expect((await api.get(`/posts/${post.id}/fanout`, author)).body.state).toBe('running'), 15_000, 5);
    expect((await api.post(`/users/${author.username}/block`, blocker)).body).toEqual({ blocking: true });
    await eventually(async () => expect((await api.get(`/posts/${post.id}/fanout`, author)).body.state).toBe('done'));
    expect(await api.homeIds(blocker)).not.toContain(post.id);
    const redis = env.redis();
    await eventually(async () => expect(await homeEntries(redis, blocker.id)).not.toContain(post.id));
    expect((await api.get(`/posts/${post.id}/fanout`, author)).body.delivered).toBeGreaterThanOrEqual(5000);
  });
});
