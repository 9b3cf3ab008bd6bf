import { expectError } from './expect-error';
import { byIdDesc, expectPage, expectPost } from './shapes';
import { ApiClient, eventually, TestUser } from './support/api-client';
import { TestEnv } from './support/test-env';

describe('timelines: GET /timelines/home', () => {
  let env: TestEnv;
  let api: ApiClient;

  beforeAll(async () => {
    env = await TestEnv.create();
    const { url } = await env.startApp();
    api = new ApiClient(url);
  });

  afterAll(() => env.close());

  /** Every page of the home timeline, following nextCursor; checks the page sizes on the way. */
  const walk = async (user: TestUser, query: Record<string, string> = {}): Promise<{ ids: string[]; pages: number }> => {
    const ids: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    const limit = Number(query.limit ?? 20);
    do {
      const params = new URLSearchParams(query);
      if (cursor) params.set('cursor', cursor);
      const res = await api.get(`/timelines/home?${params}`, user);
      expect(res.status).toBe(200);
      const page = expectPage(res.body);
      if (page.nextCursor !== null) expect(page.items).toHaveLength(limit);
      else expect(page.items.length).toBeLessThanOrEqual(limit);
      ids.push(...page.items.map((p) => (p as { id: string }).id));
      cursor = page.nextCursor;
      pages++;
      expect(pages).toBeLessThan(200);
    } while (cursor !== null);
    return { ids, pages };
  };

  it('is an empty page for a new user', async () => {
    const user = await api.register('empty_home');
    const res = await api.get('/timelines/home', user);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ items: [], nextCursor: null });
  });

  it('holds the author’s own post the moment POST /posts answers, for a user who never read it', async () => {
    const user = await api.register('first_post');
    const post = await api.createPost(user, 'my very first post');
    const res = await api.get('/timelines/home', user);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ items: [post], nextCursor: null });
  });

  it('holds each new own post at the top right away, for a user whose timeline is already built', async () => {
    const user = await api.register('steady_poster');
    expect((await api.get('/timelines/home', user)).body.items).toEqual([]);
    const posted: string[] = [];
    for (let i = 0; i < 6; i++) {
      const post = await api.createPost(user, `steady ${i}`);
      posted.unshift(post.id);
      const res = await api.get('/timelines/home', user);
      expect(res.body.items[0]).toEqual(post);
      expectPost(res.body.items[0], { text: `steady ${i}`, author: { id: user.id, username: 'steady_poster' } });
      expect(res.body.items.map((p: { id: string }) => p.id)).toEqual(posted);
    }
  });

  it('reads a page whose posts are cached with its timeline on one Redis, and from their own slots on a cluster', async () => {
    const user = await api.register('one_trip');
    const posts = [await api.createPost(user, 'one'), await api.createPost(user, 'two')].reverse();
    // The fan-out worker reads the posts too: it must be done before the page is watched.
    for (const post of posts) await eventually(async () => expect((await api.get(`/posts/${post.id}/fanout`, user)).body.state).toBe('done'));
    expect((await api.get('/timelines/home', user)).body.items).toEqual(posts); // caches what a page needs
    const monitor = await env.monitorRedis();
    await monitor.clear();
    expect((await api.get('/timelines/home', user)).body).toEqual({ items: posts, nextCursor: null });
    await monitor.settle();
    // On one Redis the range script reads the posts' cache entries itself: no MGET follows it. A
    // cluster keeps each post in a slot of its own, so there they are read after the range.
    expect(monitor.named('mget').length > 0).toBe(env.redisMode === 'cluster');
  });

  it('drops the author’s deleted post from their timeline right away', async () => {
    const user = await api.register('deleter');
    const keep = await api.createPost(user, 'keep');
    const gone = await api.createPost(user, 'gone');
    expect(await api.homeIds(user)).toEqual([gone.id, keep.id]);
    expect((await api.delete(`/posts/${gone.id}`, user)).status).toBe(204);
    expect(await api.homeIds(user)).toEqual([keep.id]);
  });

  describe('paging', () => {
    let user: TestUser;
    let newestFirst: string[];

    beforeAll(async () => {
      user = await api.register('long_home');
      const ids: string[] = [];
      for (let i = 0; i < 45; i++) ids.push((await api.createPost(user, `long ${i}`)).id);
      newestFirst = [...ids].reverse();
      expect([...newestFirst].sort(byIdDesc)).toEqual(newestFirst);
    });

    it('answers 20 posts by default, newest first, with a cursor to the next', async () => {
      const res = await api.get('/timelines/home', user);
      const page = expectPage(res.body);
      expect(page.items).toHaveLength(20);
      page.items.forEach((p) => expectPost(p));
      expect(page.items.map((p) => (p as { id: string }).id)).toEqual(newestFirst.slice(0, 20));
      expect(page.nextCursor).toEqual(expect.any(String));
    });

    it('walks every page with the default limit, without duplicates or gaps', async () => {
      const { ids, pages } = await walk(user);
      expect(pages).toBe(3);
      expect(ids).toEqual(newestFirst);
    });

    it('honours limit from 1 to 100', async () => {
      for (const limit of [1, 7, 44, 45, 100]) {
        const { ids, pages } = await walk(user, { limit: String(limit) });
        expect(ids).toEqual(newestFirst);
        expect(pages).toBe(Math.ceil(45 / limit));
      }
      const all = await api.get('/timelines/home?limit=100', user);
      expect(all.body.items).toHaveLength(45);
      expect(all.body.nextCursor).toBeNull();
      const exact = await api.get('/timelines/home?limit=45', user);
      expect(exact.body.nextCursor).toBeNull();
      const oneShort = await api.get('/timelines/home?limit=44', user);
      expect(oneShort.body.nextCursor).toEqual(expect.any(String));
      const last = await api.get(`/timelines/home?limit=44&cursor=${oneShort.body.nextCursor}`, user);
      expect(last.body).toEqual({ items: [expect.objectContaining({ id: newestFirst[44] })], nextCursor: null });
    });

    it('keeps a cursor stable while new posts arrive', async () => {
      const first = await api.get('/timelines/home?limit=10', user);
      const fresh = await api.createPost(user, 'arrived while paging');
      const second = await api.get(`/timelines/home?limit=10&cursor=${first.body.nextCursor}`, user);
      expect(second.body.items.map((p: { id: string }) => p.id)).toEqual(newestFirst.slice(10, 20));
      expect((await api.get('/timelines/home?limit=1', user)).body.items[0].id).toBe(fresh.id);
      await api.delete(`/posts/${fresh.id}`, user);
    });

    it('since=<id> answers only the posts newer than it, newest first', async () => {
      const since = newestFirst[14];
      const res = await api.get(`/timelines/home?since=${since}`, user);
      expect(res.status).toBe(200);
      expect(res.body.items.map((p: { id: string }) => p.id)).toEqual(newestFirst.slice(0, 14));
      expect(res.body.nextCursor).toBeNull();
      expect((await api.get(`/timelines/home?since=${newestFirst[0]}`, user)).body).toEqual({ items: [], nextCursor: null });
      expect((await api.get(`/timelines/home?since=${newestFirst[1]}`, user)).body.items.map((p: { id: string }) => p.id)).toEqual([
        newestFirst[0],
      ]);
    });

    it('since=<id> pages with limit and cursor down to that id and no further', async () => {
      const since = newestFirst[30];
      const { ids, pages } = await walk(user, { since, limit: '7' });
      expect(ids).toEqual(newestFirst.slice(0, 30));
      expect(pages).toBe(Math.ceil(30 / 7));
      // Older than every post: the whole timeline, 20 at a time.
      const before = (BigInt(newestFirst[44]) - 1n).toString();
      const all = await walk(user, { since: before });
      expect(all.ids).toEqual(newestFirst);
      // Newer than every post: nothing.
      const future = (BigInt(newestFirst[0]) * 2n).toString();
      expect((await api.get(`/timelines/home?since=${future}`, user)).body).toEqual({ items: [], nextCursor: null });
    });

    it('since=<id> works with the id of a deleted post', async () => {
      const a = await api.createPost(user, 'since anchor');
      const b = await api.createPost(user, 'after anchor');
      await api.delete(`/posts/${a.id}`, user);
      const res = await api.get(`/timelines/home?since=${a.id}`, user);
      expect(res.body).toEqual({ items: [b], nextCursor: null });
      await api.delete(`/posts/${b.id}`, user);
    });
  });

  describe('with follows', () => {
    it('merges the posts of followed users with the user’s own, newest first', async () => {
      const reader = await api.register('merge_reader');
      const writer = await api.register('merge_writer');
      const early = await api.createPost(writer, 'before the follow');
      await api.follow(reader, writer);
      const own = await api.createPost(reader, 'my own');
      const later = await api.createPost(writer, 'after the follow');
      // Own posts are there at once; the followee's arrive in the background.
      expect(await api.homeIds(reader)).toContain(own.id);
      await eventually(async () => expect(await api.homeIds(reader)).toEqual([later.id, own.id, early.id]));
      const res = await api.get('/timelines/home', reader);
      expect(res.body.items[0]).toEqual(later);
      // The followee's timeline holds only their own posts.
      expect(await api.homeIds(writer)).toEqual([later.id, early.id]);
    });

    it('drops a followee’s posts after an unfollow, and a deleted post from followers’ timelines', async () => {
      const reader = await api.register('unfollow_reader');
      const writer = await api.register('unfollow_writer');
      const friend = await api.register('unfollow_friend');
      await api.follow(reader, writer);
      await api.follow(reader, friend);
      const own = await api.createPost(reader, 'mine stays');
      const w1 = await api.createPost(writer, 'writer one');
      const w2 = await api.createPost(writer, 'writer two');
      const f1 = await api.createPost(friend, 'friend one');
      const f2 = await api.createPost(friend, 'friend two');
      await eventually(async () => expect(await api.homeIds(reader)).toEqual([f2.id, f1.id, w2.id, w1.id, own.id]));

      expect((await api.delete('/users/unfollow_writer/follow', reader)).status).toBe(200);
      await eventually(async () => expect(await api.homeIds(reader)).toEqual([f2.id, f1.id, own.id]));

      expect((await api.delete(`/posts/${f1.id}`, friend)).status).toBe(204);
      await eventually(async () => expect(await api.homeIds(reader)).toEqual([f2.id, own.id]));
      expect(await api.homeIds(friend)).toEqual([f2.id]);
    });

    it('a malformed limit, since or cursor is refused, not ignored', async () => {
      const user = await api.register('strict_home');
      expectError(await api.get('/timelines/home?limit=101', user), 400, 'limit');
      expectError(await api.get('/timelines/home?since=abc', user), 400, 'since');
      expectError(await api.get('/timelines/home?cursor=abc', user), 400, 'cursor');
    });
  });
});
