import { expectError } from './expect-error';
import { ApiClient, eventually, TestUser } from './support/api-client';
import { LiveClient } from './support/live-client';
import { seedFollowers } from './support/seed';
import { TestEnv } from './support/test-env';
import { forgetInRedis, holdRebuildLock, homeEntries, isHomeComplete } from './support/timelines';

jest.setTimeout(120_000);

/** A small window, so a history of a few dozen posts runs several windows deep. */
const WINDOW = 20;

const newestFirst = (ids: string[]) => [...ids].sort((a, b) => (BigInt(b) > BigInt(a) ? 1 : BigInt(b) < BigInt(a) ? -1 : 0));

describe('home timeline beyond the Redis window (TIMELINE_MAX_LENGTH=20)', () => {
  let env: TestEnv;
  let api: ApiClient;
  let url: string;
  const clients: LiveClient[] = [];

  beforeAll(async () => {
    // Authors with more than 5 followers are big: their posts are merged at read, never fanned out.
    env = await TestEnv.create({ TIMELINE_MAX_LENGTH: String(WINDOW), FANOUT_CELEBRITY_THRESHOLD: '5' });
    ({ url } = await env.startApp());
    api = new ApiClient(url);
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    await env.close();
  });

  /**
   * Every page of the reader's home timeline, following nextCursor to the end. Each page but the
   * last is full, no id appears twice, and the cursor is null only once nothing is left.
   */
  const walk = async (user: TestUser, limit: number, since?: string): Promise<string[]> => {
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const params = new URLSearchParams({ limit: String(limit) });
      if (since) params.set('since', since);
      if (cursor) params.set('cursor', cursor);
      const res = await api.get(`/timelines/home?${params}`, user);
      if (res.status !== 200) throw new Error(`page answered ${res.status}: ${res.text}`);
      const page = res.body as { items: { id: string }[]; nextCursor: string | null };
      if (page.nextCursor !== null) expect(page.items).toHaveLength(limit);
      ids.push(...page.items.map((p) => p.id));
      cursor = page.nextCursor;
      expect(ids.length).toBeLessThan(10_000);
    } while (cursor !== null);
    expect(new Set(ids).size).toBe(ids.length);
    return ids;
  };

  const fannedOut = async (author: TestUser, postId: string) =>
    eventually(async () => expect(['done', 'skipped']).toContain((await api.get(`/posts/${postId}/fanout`, author)).body.state));

  describe('a reader’s whole history', () => {
    let reader: TestUser;
    let a: TestUser, b: TestUser, c: TestUser, d: TestUser, star: TestUser;
    const by = new Map<string, string[]>();
    /** The reader's history as the contract defines it: their own posts and those of whom they follow now. */
    const history = (...authors: TestUser[]) => newestFirst(authors.flatMap((u) => by.get(u.id) ?? []));

    beforeAll(async () => {
      reader = await api.register('deep_reader');
      [a, b, c, d, star] = [await api.register('deep_a'), await api.register('deep_b'), await api.register('deep_c'), await api.register('deep_d'), await api.register('deep_star')];
      // The star has more followers than the threshold before posting: their posts are never fanned out.
      await seedFollowers(await env.sql(), star.id, 6, 'starfan');
      for (const followee of [a, b, c]) await api.follow(reader, followee);
      // 108 posts, interleaved in time: d's and the star's among them, though the reader follows neither yet.
      const authors = [a, b, reader, c, d, star];
      for (let i = 0; i < 108; i++) {
        const author = authors[i % authors.length];
        const post = await api.createPost(author, `history ${i}`);
        by.set(author.id, [...(by.get(author.id) ?? []), post.id]);
      }
      for (const author of authors) await fannedOut(author, by.get(author.id)!.at(-1)!);
    });

    it('pages more than three windows with every post exactly once, newest first, at any page size', async () => {
      const expected = history(reader, a, b, c);
      expect(expected.length).toBeGreaterThan(3 * WINDOW);
      expect(await walk(reader, 7)).toEqual(expected);
      // That first read had the timeline rebuilt: a window of 20 entries, so most pages come from PostgreSQL.
      await eventually(async () => expect(await isHomeComplete(env.redis(), reader.id)).toBe(true));
      expect(await homeEntries(env.redis(), reader.id)).toEqual(expected.slice(0, WINDOW).reverse());
      for (const limit of [1, 20, 100]) expect(await walk(reader, limit)).toEqual(expected);
    });

    it('walks the same history after Redis lost the reader’s keys, answering the first page before any rebuild', async () => {
      const expected = history(reader, a, b, c);
      await forgetInRedis(env.redis(), { users: [reader.id, a.id, b.id, c.id], posts: expected });
      // Another node "holds the rebuild": nothing rebuilds, and the pages must not wait for it.
      const release = await holdRebuildLock(env.redis(), reader.id);
      const first = await api.get('/timelines/home', reader);
      expect(first.status).toBe(200);
      expect(first.body.items.map((p: { id: string }) => p.id)).toEqual(expected.slice(0, 20));
      expect(await walk(reader, 9)).toEqual(expected);
      expect(await isHomeComplete(env.redis(), reader.id)).toBe(false);
      // The lock freed, the next read starts the rebuild in the background; the window comes back.
      await release();
      await api.get('/timelines/home', reader);
      await eventually(async () => expect(await isHomeComplete(env.redis(), reader.id)).toBe(true));
      expect(await homeEntries(env.redis(), reader.id)).toEqual(expected.slice(0, WINDOW).reverse());
      expect(await walk(reader, 9)).toEqual(expected);
    });

    it('after a follow, holds the new followee’s old posts in the deep pages too', async () => {
      await api.follow(reader, d);
      const expected = history(reader, a, b, c, d);
      // Deep pages read the graph as it is now, at once; the window catches up when the merge job has run.
      expect(await walk(reader, 100)).toEqual(expect.arrayContaining(by.get(d.id)!.slice(0, 5)));
      await eventually(async () => expect(await walk(reader, 13)).toEqual(expected));
    });

    it('after an unfollow, drops the account’s posts from every page', async () => {
      expect((await api.delete(`/users/${b.username}/follow`, reader)).status).toBe(200);
      const expected = history(reader, a, c, d);
      await eventually(async () => expect(await walk(reader, 13)).toEqual(expected));
      expect(await walk(reader, 100)).toEqual(expected);
    });

    it('merges a big account in, its posts beyond its own list included', async () => {
      await api.follow(reader, star);
      const expected = history(reader, a, c, d, star);
      expect(by.get(star.id)!.length).toBeGreaterThan(10);
      await eventually(async () => expect(await walk(reader, 11)).toEqual(expected));
      for (const limit of [1, 20, 100]) expect(await walk(reader, limit)).toEqual(expected);
    });

    it('leaves a deleted post out of the page it was on, deep or not, without a gap', async () => {
      const old = by.get(a.id)![1];
      const recent = by.get(c.id)!.at(-1)!;
      for (const id of [old, recent]) expect((await api.delete(`/posts/${id}`, id === old ? a : c)).status).toBe(204);
      const expected = history(reader, a, c, d, star).filter((id) => id !== old && id !== recent);
      await eventually(async () => expect(await walk(reader, 7)).toEqual(expected));
    });

    it('pages since=<id> down to that id and no further, across the seam', async () => {
      const all = history(reader, a, c, d, star).filter((id) => id !== by.get(a.id)![1] && id !== by.get(c.id)!.at(-1));
      const since = all[50];
      expect(await walk(reader, 8, since)).toEqual(all.slice(0, 50));
    });

    it('refuses a cursor from another reader, and a forged one, with a 400', async () => {
      const page = await api.get('/timelines/home?limit=5', reader);
      const cursor: string = page.body.nextCursor;
      expect((await api.get(`/timelines/home?limit=5&cursor=${cursor}`, reader)).status).toBe(200);
      const other = await api.register('deep_other');
      expectError(await api.get(`/timelines/home?cursor=${cursor}`, other), 400, 'cursor is not valid for your home timeline');
      const raw = Buffer.from(cursor, 'base64url');
      raw[3] ^= 0x40; // a different position, same signature
      expectError(await api.get(`/timelines/home?cursor=${raw.toString('base64url')}`, reader), 400, 'cursor');
      const unsigned = Buffer.from(`c1:${by.get(a.id)![0]}`).toString('base64url');
      for (const bad of [unsigned, 'x', 'A'.repeat(28), '%00', 'é', 'A'.repeat(3000)]) {
        expectError(await api.get(`/timelines/home?cursor=${encodeURIComponent(bad)}`, reader), 400, 'cursor');
      }
    });
  });

  describe('timeline:sync says whether more are newer', () => {
    it('answers 100 posts and hasMore on both sides of 100, whether they come from Redis or PostgreSQL', async () => {
      const user = await api.register('sync_hundred');
      const posted: string[] = [];
      for (let i = 0; i < 102; i++) posted.push((await api.createPost(user, `sync ${i}`)).id);
      const newest = newestFirst(posted);
      const live = await LiveClient.connect(url, user.token);
      clients.push(live);

      // 101 posts newer than the oldest: 100 of them, and more.
      const over = (await live.sync(posted[0])) as { items: { id: string }[]; hasMore: boolean };
      expect(over.items.map((p) => p.id)).toEqual(newest.slice(0, 100));
      expect(over.hasMore).toBe(true);
      // Exactly 100 newer than the second oldest: all of them, and no more.
      const exact = (await live.sync(posted[1])) as { items: { id: string }[]; hasMore: boolean };
      expect(exact.items.map((p) => p.id)).toEqual(newest.slice(0, 100));
      expect(exact.hasMore).toBe(false);
      // Newer than the newest: nothing.
      expect(await live.sync(newest[0])).toEqual({ items: [], hasMore: false });
      // The REST timeline closes the longer gap down to since.
      expect(await walk(user, 100, posted[0])).toEqual(newest.slice(0, 101));
    });
  });
});
