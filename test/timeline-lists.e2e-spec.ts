import { END_OF_HISTORY } from '../src/timelines/timeline-scripts';
import { TimelineRepository } from '../src/timelines/timeline.repository';
import { TestRedis, TestRedisTarget } from './support/test-redis';

// The timeline lists and their scripts on the real Redis (one server, or the cluster in the
// e2e-cluster project): the rules every read relies on, written down where each can fail alone.
const MAX = 5;
const TTL = 3_600;
/** Post ids as the service makes them: 15 digits, time-ordered. */
const id = (n: number) => String(246_311_295_000_000 + n);

describe('timeline lists', () => {
  let target: TestRedisTarget;
  let redis: TestRedis;
  let timelines: TimelineRepository;
  let next = 0;
  /** A fresh timeline key of its own for each case. */
  const key = () => redis.keys.home(`list-${++next}`);
  const list = (k: string) => redis.lrange(k, 0, -1);

  beforeAll(async () => {
    target = await TestRedisTarget.create();
    redis = target.client();
    timelines = new TimelineRepository(redis, redis.keys, redis);
  });

  afterAll(async () => {
    redis.disconnect();
    await target.release();
  });

  /** A complete timeline as a rebuild leaves it: `ids` are the truth, all of it with `all`. */
  async function rebuilt(ids: string[], all = true): Promise<string> {
    const k = key();
    expect(await timelines.beginRebuild(k, TTL)).toBe(true);
    await timelines.fill(k, ids, all ? MAX : ids.length, TTL);
    return k;
  }

  describe('pushes', () => {
    it('leave an absent timeline absent: the read that finds it missing rebuilds it', async () => {
      const k = key();
      await timelines.addToMany([k], [id(1)], MAX, TTL);
      expect(await redis.exists(k)).toBe(0);
    });

    it('go on top, newest first, once each, and trim to the cap', async () => {
      const k = await rebuilt([]);
      expect(await list(k)).toEqual(['0']);
      for (let n = 1; n <= 7; n++) await timelines.addToMany([k], [id(n)], MAX, TTL);
      await timelines.addToMany([k], [id(7), id(6)], MAX, TTL); // a retried batch
      expect(await list(k)).toEqual([id(7), id(6), id(5), id(4), id(3)]);
      expect(await redis.ttl(k)).toBeGreaterThan(TTL - 60);
    });

    it('put a late post in its place, and drop one older than the window when older posts may exist', async () => {
      const full = await rebuilt([id(50), id(40), id(30), id(20), id(10)]);
      await timelines.addToMany([full], [id(35), id(5)], MAX, TTL);
      expect(await list(full)).toEqual([id(50), id(40), id(35), id(30), id(20)]);

      // With the whole history in the list (end-of-history sentinel), an older post still belongs.
      const whole = await rebuilt([id(50), id(40)]);
      await timelines.addToMany([whole], [id(45), id(5), id(40)], MAX, TTL);
      expect(await list(whole)).toEqual([id(50), id(45), id(40), id(5), '0']);
    });

    it('put a late post in its place near the head or deep in a long list, once', async () => {
      // 100 entries, ids 2, 4, ..., 200 (newest first), below a cap of 150: beyond the near-head look.
      const k = key();
      const evens = Array.from({ length: 100 }, (_, i) => id(200 - 2 * i));
      expect(await timelines.beginRebuild(k, TTL)).toBe(true);
      await timelines.fill(k, evens, 150, TTL);
      await timelines.addToMany([k], [id(197), id(61), id(61), id(100), id(1)], 150, TTL);

      const expected = [...evens, id(197), id(61), id(1)].sort((a, b) => Number(b) - Number(a));
      expect(await list(k)).toEqual([...expected, '0']);
    });

    it('write many timelines of every state in one call, across slices (and slots on a cluster)', async () => {
      // 600 timelines: more than one bulk slice of 250 commands' worth; every third absent.
      const keys: string[] = [];
      for (let i = 0; i < 600; i++) keys.push(i % 3 === 0 ? key() : await rebuilt(i % 3 === 1 ? [] : [id(50), id(40), id(30), id(20), id(10)]));
      await timelines.addToMany(keys, [id(60), id(35)], MAX, TTL);
      await timelines.addToMany(keys, [id(60)], MAX, TTL); // a retried batch changes nothing

      const lists = await Promise.all(keys.map(list));
      lists.forEach((got, i) => {
        if (i % 3 === 0) expect(got).toEqual([]);
        else if (i % 3 === 1) expect(got).toEqual([id(60), id(35), '0']);
        else expect(got).toEqual([id(60), id(50), id(40), id(35), id(30)]);
      });
    });
  });

  describe('rebuilds', () => {
    it('keep what was pushed while PostgreSQL was read, and hide the timeline until they end', async () => {
      const k = key();
      expect(await timelines.beginRebuild(k, TTL)).toBe(true);
      await timelines.addToMany([k], [id(90)], MAX, TTL); // fanned out during the rebuild
      expect(await timelines.ranges([k], { limit: 10 })).toEqual([null]);

      await timelines.fill(k, [id(80), id(70)], MAX, TTL);
      expect(await list(k)).toEqual([id(90), id(80), id(70), '0']);
      expect(await timelines.ranges([k], { limit: 1 })).toEqual([{ ids: [id(90)], oldest: '0' }]);
      expect(await timelines.beginRebuild(k, TTL)).toBe(false); // complete: nothing to do
    });

    it('give way to an unfollow that lands meanwhile: the timeline is dropped, and the fill does not bring it back', async () => {
      const k = key();
      await timelines.beginRebuild(k, TTL);
      await timelines.addToMany([k], [id(90), id(85)], MAX, TTL); // fanned out during the rebuild
      // The unfollowed account's posts: one was pushed meanwhile, and the rebuild read the others
      // from PostgreSQL before the unfollow.
      expect(await timelines.removeFrom(k, [id(85), id(70)])).toEqual([id(85)]);
      expect(await redis.exists(k)).toBe(0);
      expect(await timelines.fill(k, [id(80), id(70)], MAX, TTL)).toBe(false);
      expect(await redis.exists(k)).toBe(0);
      // The next read's rebuild starts afresh.
      expect(await timelines.beginRebuild(k, TTL)).toBe(true);
    });

    it('give way to a follow’s backfill that lands meanwhile, as to an unfollow', async () => {
      const k = key();
      await timelines.beginRebuild(k, TTL);
      await timelines.merge(k, [id(60), id(50)], MAX, id(50));
      expect(await redis.exists(k)).toBe(0);
      expect(await timelines.fill(k, [id(80), id(40)], MAX, TTL)).toBe(false);
      expect(await redis.exists(k)).toBe(0);
    });

    it('leave alone a timeline another rebuilder finished', async () => {
      const k = key();
      await timelines.beginRebuild(k, TTL);
      expect(await timelines.fill(k, [id(80)], MAX, TTL)).toBe(true);
      expect(await timelines.fill(k, [id(99), id(80)], MAX, TTL)).toBe(false);
      expect(await list(k)).toEqual([id(80), '0']);
    });

    it('end without the end-of-history sentinel when the truth holds more than the window', async () => {
      const k = key();
      await timelines.beginRebuild(k, TTL);
      await timelines.fill(k, [id(5), id(4), id(3), id(2), id(1)], MAX, TTL);
      expect(await list(k)).toEqual([id(5), id(4), id(3), id(2), id(1)]);
      expect(await redis.ttl(k)).toBeGreaterThan(TTL - 60);
    });
  });

  describe('ranges', () => {
    it('answer pages below a cursor, in the list or gone from it, and above `since`', async () => {
      // The newest of a longer history: it vouches down to its oldest entry.
      const k = await rebuilt([id(50), id(40), id(30), id(20)], false);
      const page = (query: { before?: string; since?: string; limit: number }) => timelines.ranges([k], query);
      expect(await page({ limit: 2 })).toEqual([{ ids: [id(50), id(40)], oldest: id(20) }]);
      expect(await page({ before: id(40), limit: 10 })).toEqual([{ ids: [id(30), id(20)], oldest: id(20) }]);
      expect(await page({ before: id(45), limit: 1 })).toEqual([{ ids: [id(40)], oldest: id(20) }]); // a deleted cursor
      expect(await page({ before: id(99), limit: 1 })).toEqual([{ ids: [id(50)], oldest: id(20) }]);
      expect(await page({ before: id(20), limit: 5 })).toEqual([{ ids: [], oldest: id(20) }]);
      expect(await page({ since: id(30), limit: 10 })).toEqual([{ ids: [id(50), id(40)], oldest: id(20) }]);
      expect(await page({ before: id(50), since: id(20), limit: 10 })).toEqual([{ ids: [id(40), id(30)], oldest: id(20) }]);
    });

    it('vouch for everything when the list reaches the end of history, never answering the sentinel', async () => {
      const whole = await rebuilt([id(50), id(40)]);
      expect(await timelines.ranges([whole], { limit: 10 })).toEqual([{ ids: [id(50), id(40)], oldest: END_OF_HISTORY }]);
      expect(await timelines.ranges([whole], { before: id(40), limit: 10 })).toEqual([{ ids: [], oldest: END_OF_HISTORY }]);
    });

    it('bring the post cache entries of their ids when asked, on one Redis; on a cluster, where they live in other slots, none', async () => {
      const k = await rebuilt([id(50), id(40), id(30)]);
      await redis.set(redis.keys.post(id(50)), 'fifty');
      await redis.set(redis.keys.post(id(30)), '-');
      const [page] = await timelines.ranges([k], { limit: 10 }, true);
      const [empty] = await timelines.ranges([k], { before: id(30), limit: 10 }, true);
      if (redis.isCluster) {
        expect([page, empty]).toEqual([{ ids: [id(50), id(40), id(30)], oldest: END_OF_HISTORY }, { ids: [], oldest: END_OF_HISTORY }]);
      } else {
        expect([page, empty]).toEqual([
          { ids: [id(50), id(40), id(30)], oldest: END_OF_HISTORY, cachedPosts: ['fifty', null, '-'] },
          { ids: [], oldest: END_OF_HISTORY, cachedPosts: [] },
        ]);
      }
    });

    it('tell an empty complete timeline from a missing one', async () => {
      const empty = await rebuilt([]);
      expect(await timelines.ranges([empty, key()], { limit: 10 })).toEqual([{ ids: [], oldest: END_OF_HISTORY }, null]);
    });
  });

  describe('merges', () => {
    it('put a followee’s posts in place and, with a cut, drop what lies below it', async () => {
      const k = await rebuilt([id(50), id(30)]);
      await timelines.merge(k, [id(40), id(20), id(10)], MAX);
      expect(await list(k)).toEqual([id(50), id(40), id(30), id(20), id(10)]);

      const cut = await rebuilt([id(50), id(30), id(10)]);
      await timelines.merge(cut, [id(45), id(25)], MAX, id(25));
      expect(await list(cut)).toEqual([id(50), id(45), id(30), id(25)]); // and no end-of-history any more
    });

    it('leave out posts older than a window that does not reach the end of history, keep its expiry, skip absent timelines', async () => {
      const k = await rebuilt([id(50), id(40), id(30), id(20), id(10)]);
      await timelines.removeFrom(k, [id(20)]);
      await redis.expire(k, 100);
      await timelines.merge(k, [id(35), id(5)], MAX);
      expect(await list(k)).toEqual([id(50), id(40), id(35), id(30), id(10)]);
      expect(await redis.ttl(k)).toBeLessThanOrEqual(100);
      expect(await redis.ttl(k)).toBeGreaterThan(0);

      const absent = key();
      await timelines.mergeMany([absent], [id(1)], MAX);
      expect(await redis.exists(absent)).toBe(0);
    });
  });

  describe('removals', () => {
    it('take ids out wherever they are and say which were there', async () => {
      const k = await rebuilt([id(50), id(40), id(30)]);
      expect(await timelines.removeFrom(k, [id(40), id(99), id(30)])).toEqual([id(40), id(30)]);
      expect(await list(k)).toEqual([id(50), '0']);
      await timelines.removeFromMany([k], [id(50)]);
      expect(await timelines.ranges([k], { limit: 10 })).toEqual([{ ids: [], oldest: END_OF_HISTORY }]);
    });
  });

  describe('reposts (rule 2)', () => {
    const reposts = (k: string) => ({ home: k, reposts: `${k}:reposts` });

    it('skip a repost whose original or another repost of it is among the newest entries, and count a retry as added', async () => {
      const k = await rebuilt([id(50), id(40)]);
      const add = (repost: string, original: string, window = 2) => timelines.addRepostToMany([reposts(k)], repost, original, window, MAX, TTL);
      expect(await add(id(60), id(50))).toEqual([]); // the original is on top
      expect(await add(id(61), id(10))).toEqual([k]);
      expect(await add(id(61), id(10))).toEqual([k]); // the same batch again
      expect(await add(id(62), id(10))).toEqual([]); // another repost of it is on top
      expect(await add(id(63), id(40), 1)).toEqual([k]); // the original is below the window
      expect(await list(k)).toEqual([id(63), id(61), id(50), id(40), '0']);
    });

    it('count an absent timeline as reached, leaving it absent', async () => {
      const absent = key();
      expect(await timelines.addRepostToMany([reposts(absent)], id(2), id(1), 2, MAX, TTL)).toEqual([absent]);
      expect(await redis.exists(absent)).toBe(0);
    });
  });
});
