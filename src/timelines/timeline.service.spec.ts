import { Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { RedisKeys } from '../redis/redis-keys';
import { GraphService } from '../graph/graph.service';
import { FeedSourceRepository } from './feed-source.repository';
import { compareIds, cutAtSeam, MERGE_ON_FOLLOW, TimelineService } from './timeline.service';
import { TimelineRepository, WindowRange } from './timeline.repository';
import { END_OF_HISTORY } from './timeline-scripts';

const DAY_MS = 86_400_000;
const keys = new RedisKeys('t:');
const config = { timelineMaxLength: 800, fanoutCelebrityThreshold: 10_000, fanoutInactiveDays: 30 } as AppConfig;

function setup() {
  const timelines = {
    addToMany: jest.fn().mockResolvedValue(1),
    removeFromMany: jest.fn().mockResolvedValue(undefined),
    removeFrom: jest.fn().mockResolvedValue([]),
    fill: jest.fn().mockResolvedValue(true),
    expire: jest.fn().mockResolvedValue(undefined),
    merge: jest.fn().mockResolvedValue(undefined),
    ranges: jest.fn(),
    cachedList: jest.fn().mockResolvedValue({ ids: [], current: '0' }),
    cacheList: jest.fn().mockResolvedValue(undefined),
    firstIn: jest.fn().mockResolvedValue(true),
    lock: jest.fn().mockResolvedValue(true),
    unlock: jest.fn().mockResolvedValue(undefined),
    beginRebuild: jest.fn().mockResolvedValue(true),
    delete: jest.fn().mockResolvedValue(undefined),
    toggleMember: jest.fn().mockResolvedValue(false),
  };
  const source = {
    homePostIds: jest.fn().mockResolvedValue([]),
    authorPostIds: jest.fn().mockResolvedValue([]),
    lastActiveAt: jest.fn(),
    touch: jest.fn().mockResolvedValue(undefined),
    isFollowing: jest.fn(),
    bigFollowees: jest.fn().mockResolvedValue([]),
  };
  const graph = { bigFollowees: source.bigFollowees };
  const service = new TimelineService(timelines as unknown as TimelineRepository, source as unknown as FeedSourceRepository, graph as unknown as GraphService, keys, config);
  return { service, timelines, source };
}

beforeAll(() => Logger.overrideLogger(false));
afterEach(() => jest.restoreAllMocks());

describe('TimelineService', () => {
  describe('isBigAccount', () => {
    it('uses the threshold strictly', () => {
      const { service } = setup();
      expect(service.isBigAccount(0)).toBe(false);
      expect(service.isBigAccount(9_999)).toBe(false);
      expect(service.isBigAccount(10_000)).toBe(false);
      expect(service.isBigAccount(10_001)).toBe(true);
    });
  });

  describe('noteAccountSize', () => {
    it('adds an author above the threshold to the set of big accounts', async () => {
      const { service, timelines } = setup();
      await service.noteAccountSize('7', 10_001);
      expect(timelines.toggleMember).toHaveBeenCalledWith('t:{big}:accounts', 't:{big}:version', '7', true);
    });

    it('removes an author at or below the threshold from the set of big accounts', async () => {
      const { service, timelines } = setup();
      await service.noteAccountSize('7', 10_000);
      expect(timelines.toggleMember).toHaveBeenCalledWith('t:{big}:accounts', 't:{big}:version', '7', false);
    });
  });

  describe('publish, push, unpush, retract', () => {
    it('publishes to the author home and own post list, capped at TIMELINE_MAX_LENGTH', async () => {
      const { service, timelines } = setup();
      await service.publish('7', '100');
      expect(timelines.addToMany).toHaveBeenCalledWith(['t:{u:7}:home-list', 't:{u:7}:posts-list'], ['100'], 800, 31 * 86_400);
    });

    it('pushes to many home timelines in one call', async () => {
      const { service, timelines } = setup();
      await service.push(['1', '2', '3'], '100');
      expect(timelines.addToMany).toHaveBeenCalledTimes(1);
      expect(timelines.addToMany).toHaveBeenCalledWith(['t:{u:1}:home-list', 't:{u:2}:home-list', 't:{u:3}:home-list'], ['100'], 800);
    });

    it('unpushes from many home timelines in one call', async () => {
      const { service, timelines } = setup();
      await service.unpush(['1', '2'], '100');
      expect(timelines.removeFromMany).toHaveBeenCalledWith(['t:{u:1}:home-list', 't:{u:2}:home-list'], ['100']);
    });

    it('retracts from the author home and own post list', async () => {
      const { service, timelines } = setup();
      await service.retract('7', '100');
      expect(timelines.removeFromMany).toHaveBeenCalledWith(['t:{u:7}:home-list', 't:{u:7}:posts-list'], ['100']);
    });
  });

  describe('merge and unmerge', () => {
    it('merge adds the followee recent post ids to the follower home, cutting nothing when that is all they wrote', async () => {
      const { service, timelines, source } = setup();
      source.authorPostIds.mockResolvedValue(['30', '20', '10']);
      await service.merge('1', '2');
      expect(timelines.delete).toHaveBeenCalledWith('t:{u:1}:big');
      expect(source.authorPostIds).toHaveBeenCalledWith('2', MERGE_ON_FOLLOW + 1);
      expect(timelines.merge).toHaveBeenCalledWith('t:{u:1}:home-list', ['30', '20', '10'], 800, undefined);
    });

    it('merge cuts the timeline below the oldest merged post when the followee wrote more, so the window stays whole', async () => {
      const { service, timelines, source } = setup();
      const ids = Array.from({ length: MERGE_ON_FOLLOW + 1 }, (_, i) => String(10_000 - i));
      source.authorPostIds.mockResolvedValue(ids);
      await service.merge('1', '2');
      expect(timelines.merge).toHaveBeenCalledWith('t:{u:1}:home-list', ids.slice(0, MERGE_ON_FOLLOW), 800, ids[MERGE_ON_FOLLOW - 1]);
    });

    it('merges the last 200 posts, as Mastodon does', () => {
      expect(MERGE_ON_FOLLOW).toBe(200);
    });

    it('unmerge removes the followee post ids from the follower home and returns those it held', async () => {
      const { service, timelines, source } = setup();
      source.authorPostIds.mockResolvedValue(['30', '20']);
      timelines.removeFrom.mockResolvedValue(['30']);
      await expect(service.unmerge('1', '2')).resolves.toEqual(['30']);
      expect(timelines.delete).toHaveBeenCalledWith('t:{u:1}:big');
      expect(source.authorPostIds).toHaveBeenCalledWith('2', 800);
      expect(timelines.removeFrom).toHaveBeenCalledWith('t:{u:1}:home-list', ['30', '20']);
    });
  });

  describe('readWindow', () => {
    const range = (ids: string[], oldest: string = ids[ids.length - 1] ?? END_OF_HISTORY) => ({ ids, oldest });

    /** Answers the home range, then the big accounts' ranges, as two calls of ranges(). */
    const answer = (ranges: jest.Mock, home: WindowRange | null, ...authors: (WindowRange | null)[]) =>
      ranges.mockImplementation(async (keys: string[]) => (keys[0].endsWith(':home-list') ? [home] : authors));

    it('reads the home set alone when the user follows no big account, down to its oldest entry', async () => {
      const { service, timelines } = setup();
      answer(timelines.ranges, range(['50', '40', '30'], '10'));
      await expect(service.readWindow('1', { limit: 3, before: '60' })).resolves.toEqual({ ids: ['50', '40', '30'], seam: '10', missing: null });
      expect(timelines.ranges).toHaveBeenCalledTimes(1);
      expect(timelines.ranges).toHaveBeenCalledWith(['t:{u:1}:home-list'], { limit: 3, before: '60' }, true);
    });

    it('hands on the post cache entries read with the home range, by id, and reads big accounts’ lists without them', async () => {
      const { service, timelines } = setup();
      timelines.cachedList.mockResolvedValue({ ids: ['8'], current: '0' });
      answer(timelines.ranges, { ...range(['50', '40', '30'], '10'), cachedPosts: ['{"id":"50"}', null, '-'] }, range(['45'], '5'));
      const window = await service.readWindow('1', { limit: 3 });
      expect(window.cachedPosts).toEqual(new Map([['50', '{"id":"50"}'], ['40', null], ['30', '-']]));
      expect(timelines.ranges).toHaveBeenCalledWith(['t:{u:8}:posts-list'], { limit: 3 });
    });

    it('asks for the home range together with the big followees, not after them', async () => {
      const { service, timelines } = setup();
      const big = deferred<{ ids: string[]; current: string }>();
      timelines.cachedList.mockReturnValue(big.promise);
      answer(timelines.ranges, range(['50'], '10'));
      const read = service.readWindow('1', { limit: 3 });
      await Promise.resolve();
      expect(timelines.ranges).toHaveBeenCalledWith(['t:{u:1}:home-list'], { limit: 3 }, true);
      big.resolve({ ids: [], current: '0' });
      await expect(read).resolves.toEqual({ ids: ['50'], seam: '10', missing: null });
    });

    it('merges big-account post lists with the home set, newest first, without duplicates, cut at the highest oldest entry', async () => {
      const { service, timelines, source } = setup();
      timelines.cachedList.mockResolvedValue({ ids: ['8', '9'], current: '3' });
      answer(timelines.ranges, range(['100', '90', '40', '30'], '5'), range(['95', '90'], '35'), range(['70'], '20'));
      const window = await service.readWindow('1', { limit: 10 });
      expect(timelines.ranges).toHaveBeenCalledWith(['t:{u:8}:posts-list', 't:{u:9}:posts-list'], { limit: 10 });
      // Big account 8's list ends at 35: below it, it may lack posts, so the window ends there.
      expect(window).toEqual({ ids: ['100', '95', '90', '70', '40'], seam: '35', missing: null });
      expect(source.bigFollowees).not.toHaveBeenCalled();
    });

    it('orders ids of different digit lengths numerically', async () => {
      const { service, timelines } = setup();
      timelines.cachedList.mockResolvedValue({ ids: ['8'], current: '0' });
      answer(timelines.ranges, range(['1000', '99'], '9'), range(['100', '10'], '9'));
      await expect(service.readWindow('1', { limit: 10 })).resolves.toMatchObject({ ids: ['1000', '100', '99', '10'], seam: '9' });
    });

    it('takes no seam from a big account’s list that holds its whole history, even an empty one', async () => {
      const { service, timelines } = setup();
      timelines.cachedList.mockResolvedValue({ ids: ['8', '9'], current: '0' });
      answer(timelines.ranges, range(['50', '30'], '20'), range([], END_OF_HISTORY), range(['40'], END_OF_HISTORY));
      await expect(service.readWindow('1', { limit: 10 })).resolves.toEqual({ ids: ['50', '40', '30'], seam: '20', missing: null });
    });

    it('loads the big accounts followed when they are not cached, and caches them at the current version', async () => {
      const { service, timelines, source } = setup();
      timelines.cachedList.mockResolvedValue({ ids: null, current: '7' });
      source.bigFollowees.mockResolvedValue(['8']);
      answer(timelines.ranges, range(['10']), range(['20']));
      await expect(service.readWindow('1', { limit: 20 })).resolves.toEqual({ ids: ['20'], seam: '20', missing: null });
      expect(timelines.cachedList).toHaveBeenCalledWith('t:{u:1}:big', 't:{big}:version');
      expect(source.bigFollowees).toHaveBeenCalledWith('1');
      expect(timelines.cacheList).toHaveBeenCalledWith('t:{u:1}:big', '7', ['8'], expect.any(Number));
      expect(timelines.ranges).toHaveBeenCalledWith(['t:{u:8}:posts-list'], { limit: 20 });
    });

    it('answers a returning reader without looking anything up, naming the home timeline and big followees as missing', async () => {
      const { service, timelines, source } = setup();
      timelines.cachedList.mockResolvedValue({ ids: null, current: '7' });
      answer(timelines.ranges, null);
      await expect(service.readWindow('1', { limit: 20 })).resolves.toEqual({
        ids: [],
        seam: null,
        missing: { userId: '1', home: true, authors: [], bigAccountsVersion: '7' },
      });
      expect(source.bigFollowees).not.toHaveBeenCalled();
      expect(timelines.ranges).toHaveBeenCalledTimes(1);
      expect(timelines.lock).not.toHaveBeenCalled();
    });

    it('names a missing home set and missing big-account lists, and rebuilds nothing itself', async () => {
      const { service, timelines } = setup();
      timelines.cachedList.mockResolvedValue({ ids: ['8', '9'], current: '0' });
      answer(timelines.ranges, null, range(['20']), null);
      await expect(service.readWindow('1', { limit: 20 })).resolves.toEqual({ ids: [], seam: null, missing: { userId: '1', home: true, authors: ['9'] } });
      expect(timelines.lock).not.toHaveBeenCalled();
    });
  });

  describe('repair', () => {
    it('rebuilds the home timeline and caches the big followees in the background, without holding up the caller', async () => {
      const { service, timelines, source } = setup();
      const load = deferred<string[]>();
      const big = deferred<string[]>();
      source.homePostIds.mockReturnValue(load.promise);
      source.bigFollowees.mockReturnValue(big.promise);
      service.repair({ userId: '1', home: true, authors: [], bigAccountsVersion: '7' });
      await Promise.resolve();
      expect(timelines.fill).not.toHaveBeenCalled();
      load.resolve(['30', '20']);
      big.resolve(['8']);
      await service.beforeApplicationShutdown();
      expect(timelines.lock).toHaveBeenCalledWith('t:{u:1}:home-list', expect.any(Number));
      expect(timelines.beginRebuild).toHaveBeenCalledWith('t:{u:1}:home-list', 31 * 86_400);
      expect(source.homePostIds).toHaveBeenCalledWith('1', { limit: 800 });
      expect(timelines.fill).toHaveBeenCalledWith('t:{u:1}:home-list', ['30', '20'], 800, 31 * 86_400);
      expect(timelines.unlock).toHaveBeenCalledWith('t:{u:1}:home-list');
      // The reader's next read finds the big accounts they follow cached, at the version this read saw.
      expect(source.bigFollowees).toHaveBeenCalledWith('1');
      expect(timelines.cacheList).toHaveBeenCalledWith('t:{u:1}:big', '7', ['8'], expect.any(Number));
    });

    it('rebuilds the missing list of a big account from its own posts', async () => {
      const { service, timelines, source } = setup();
      source.authorPostIds.mockResolvedValue(['20']);
      service.repair({ userId: '1', home: false, authors: ['8'] });
      await service.beforeApplicationShutdown();
      expect(source.homePostIds).not.toHaveBeenCalled();
      expect(source.bigFollowees).not.toHaveBeenCalled();
      expect(source.authorPostIds).toHaveBeenCalledWith('8', 800);
      expect(timelines.fill).toHaveBeenCalledWith('t:{u:8}:posts-list', ['20'], 800, 31 * 86_400);
    });

    it('leaves the rebuild to whoever holds the lock, and never fills without it', async () => {
      const { service, timelines, source } = setup();
      timelines.lock.mockResolvedValue(false);
      service.repair({ userId: '1', home: true, authors: [] });
      await service.beforeApplicationShutdown();
      expect(source.homePostIds).not.toHaveBeenCalled();
      expect(timelines.fill).not.toHaveBeenCalled();
      expect(timelines.unlock).not.toHaveBeenCalled();
    });

    it('does not rebuild a set someone completed in the meantime', async () => {
      const { service, timelines, source } = setup();
      timelines.beginRebuild.mockResolvedValue(false);
      service.repair({ userId: '1', home: true, authors: [] });
      await service.beforeApplicationShutdown();
      expect(source.homePostIds).not.toHaveBeenCalled();
      expect(timelines.unlock).toHaveBeenCalledWith('t:{u:1}:home-list');
    });

    it('unlocks and leaves the timeline to the next read when a follow or unfollow dropped it meanwhile', async () => {
      const { service, timelines, source } = setup();
      source.homePostIds.mockResolvedValue(['30']);
      timelines.fill.mockResolvedValue(false);
      const log = jest.spyOn(Logger.prototype, 'log');
      service.repair({ userId: '1', home: true, authors: [] });
      await service.beforeApplicationShutdown();
      expect(timelines.unlock).toHaveBeenCalledWith('t:{u:1}:home-list');
      expect(log).toHaveBeenCalledWith(expect.objectContaining({ msg: expect.stringContaining('overtaken'), key: 't:{u:1}:home-list' }));
    });

    it('logs a failed rebuild, unlocks, and throws nothing at anyone', async () => {
      const { service, timelines, source } = setup();
      source.homePostIds.mockRejectedValue(new Error('PostgreSQL down'));
      service.repair({ userId: '1', home: true, authors: [] });
      await service.beforeApplicationShutdown();
      expect(timelines.fill).not.toHaveBeenCalled();
      expect(timelines.unlock).toHaveBeenCalledWith('t:{u:1}:home-list');
    });
  });

  describe('noteActivity', () => {
    it('drops the timeline of a user inactive longer than FANOUT_INACTIVE_DAYS, and records the activity', async () => {
      const { service, timelines, source } = setup();
      source.lastActiveAt.mockResolvedValue(new Date(Date.now() - 31 * DAY_MS));
      await expect(service.noteActivity('1')).resolves.toBe(true);
      expect(timelines.firstIn).toHaveBeenCalledWith('t:{u:1}:seen', expect.any(Number));
      expect(source.lastActiveAt).toHaveBeenCalledWith('1');
      expect(timelines.delete).toHaveBeenCalledWith('t:{u:1}:home-list');
      await service.beforeApplicationShutdown();
      expect(source.touch).toHaveBeenCalledWith('1');
    });

    it('keeps the timeline of an active user, and its expiry one day past FANOUT_INACTIVE_DAYS from now', async () => {
      const { service, timelines, source } = setup();
      source.lastActiveAt.mockResolvedValue(new Date(Date.now() - 29 * DAY_MS));
      await expect(service.noteActivity('1')).resolves.toBe(false);
      expect(timelines.delete).not.toHaveBeenCalled();
      expect(timelines.expire).toHaveBeenCalledWith(['t:{u:1}:home-list', 't:{u:1}:reposts'], 31 * 86_400);
      await service.beforeApplicationShutdown();
      expect(source.touch).toHaveBeenCalledWith('1');
    });

    it('does not wait for the activity to be written', async () => {
      const { service, source } = setup();
      source.lastActiveAt.mockResolvedValue(new Date());
      const write = deferred<void>();
      source.touch.mockReturnValue(write.promise);
      await service.noteActivity('1');
      write.resolve();
      await service.beforeApplicationShutdown();
    });

    it('keeps the timeline when the user is unknown', async () => {
      const { service, timelines, source } = setup();
      source.lastActiveAt.mockResolvedValue(undefined);
      await expect(service.noteActivity('1')).resolves.toBe(false);
      expect(timelines.delete).not.toHaveBeenCalled();
    });

    it('does nothing when activity was already noted in this period', async () => {
      const { service, timelines, source } = setup();
      timelines.firstIn.mockResolvedValue(false);
      await expect(service.noteActivity('1')).resolves.toBe(false);
      expect(source.lastActiveAt).not.toHaveBeenCalled();
      expect(source.touch).not.toHaveBeenCalled();
      expect(timelines.delete).not.toHaveBeenCalled();
      expect(timelines.expire).not.toHaveBeenCalled();
    });
  });

  describe('wasInactive', () => {
    it('compares against FANOUT_INACTIVE_DAYS', () => {
      const { service } = setup();
      jest.spyOn(Date, 'now').mockReturnValue(100 * DAY_MS);
      expect(service.wasInactive(new Date(70 * DAY_MS))).toBe(false);
      expect(service.wasInactive(new Date(70 * DAY_MS - 1))).toBe(true);
    });
  });
});

describe('cutAtSeam', () => {
  it('keeps the ids at or above the highest oldest entry, newest first, without duplicates, up to the limit', () => {
    expect(
      cutAtSeam(
        [
          { ids: ['5', '3', '1'], oldest: '1' },
          { ids: ['5', '4', '3'], oldest: '3' },
        ],
        10,
      ),
    ).toEqual({ ids: ['5', '4', '3'], seam: '3' });
    expect(cutAtSeam([{ ids: ['5', '4', '3'], oldest: '1' }], 2)).toEqual({ ids: ['5', '4'], seam: '1' });
  });

  it('orders 16- and 17-digit ids numerically', () => {
    expect(cutAtSeam([{ ids: ['10000000000000000', '9999999999999999', '1000000000000000'], oldest: '1000000000000000' }], 3)).toEqual({
      ids: ['10000000000000000', '9999999999999999', '1000000000000000'],
      seam: '1000000000000000',
    });
  });

  it('vouches for nothing when a set is missing', () => {
    expect(cutAtSeam([{ ids: ['5'], oldest: '5' }, null], 10)).toEqual({ ids: [], seam: null });
  });

  it('takes no seam from a set that holds everything; with only such sets, the seam is the end of history', () => {
    expect(cutAtSeam([{ ids: ['5', '3'], oldest: '3' }, { ids: ['4', '2'], oldest: END_OF_HISTORY }], 10)).toEqual({ ids: ['5', '4', '3'], seam: '3' });
    expect(cutAtSeam([{ ids: ['5', '3'], oldest: END_OF_HISTORY }, { ids: [], oldest: END_OF_HISTORY }], 10)).toEqual({
      ids: ['5', '3'],
      seam: END_OF_HISTORY,
    });
  });

  it('keeps the seam when the range holds nothing above it (a page below the window)', () => {
    expect(cutAtSeam([{ ids: [], oldest: '40' }], 10)).toEqual({ ids: [], seam: '40' });
  });
});

describe('compareIds', () => {
  it('compares decimal ids numerically', () => {
    expect(compareIds('10', '9')).toBeGreaterThan(0);
    expect(compareIds('9', '10')).toBeLessThan(0);
    expect(compareIds('123', '123')).toBe(0);
    expect(compareIds('124', '123')).toBeGreaterThan(0);
  });
});

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
