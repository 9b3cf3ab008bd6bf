import { Logger, ServiceUnavailableException } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { RedisKeys } from '../redis/redis-keys';
import { FeedSourceRepository } from './feed-source.repository';
import { MERGE_ON_FOLLOW, TimelineService, mergeNewestFirst } from './timeline.service';
import { TimelineRepository } from './timeline.repository';

const DAY_MS = 86_400_000;
const keys = new RedisKeys('t:');
const config = { timelineMaxLength: 800, fanoutCelebrityThreshold: 10_000, fanoutInactiveDays: 30 } as AppConfig;

function setup() {
  const timelines = {
    addToMany: jest.fn().mockResolvedValue(1),
    removeFromMany: jest.fn().mockResolvedValue(undefined),
    removeFrom: jest.fn().mockResolvedValue([]),
    fill: jest.fn().mockResolvedValue(undefined),
    ranges: jest.fn(),
    cachedList: jest.fn().mockResolvedValue({ ids: [], current: '0' }),
    cacheList: jest.fn().mockResolvedValue(undefined),
    firstIn: jest.fn().mockResolvedValue(true),
    lock: jest.fn().mockResolvedValue(true),
    unlock: jest.fn().mockResolvedValue(undefined),
    isComplete: jest.fn().mockResolvedValue(false),
    delete: jest.fn().mockResolvedValue(undefined),
    toggleMember: jest.fn().mockResolvedValue(false),
  };
  const source = {
    homePostIds: jest.fn().mockResolvedValue([]),
    authorPostIds: jest.fn().mockResolvedValue([]),
    bigFollowees: jest.fn().mockResolvedValue([]),
    touch: jest.fn(),
    isFollowing: jest.fn(),
  };
  const service = new TimelineService(timelines as unknown as TimelineRepository, source as unknown as FeedSourceRepository, keys, config);
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
      expect(timelines.addToMany).toHaveBeenCalledWith(['t:{u:7}:home', 't:{u:7}:posts'], ['100'], 800);
    });

    it('pushes to many home timelines in one call', async () => {
      const { service, timelines } = setup();
      await service.push(['1', '2', '3'], '100');
      expect(timelines.addToMany).toHaveBeenCalledTimes(1);
      expect(timelines.addToMany).toHaveBeenCalledWith(['t:{u:1}:home', 't:{u:2}:home', 't:{u:3}:home'], ['100'], 800);
    });

    it('unpushes from many home timelines in one call', async () => {
      const { service, timelines } = setup();
      await service.unpush(['1', '2'], '100');
      expect(timelines.removeFromMany).toHaveBeenCalledWith(['t:{u:1}:home', 't:{u:2}:home'], ['100']);
    });

    it('retracts from the author home and own post list', async () => {
      const { service, timelines } = setup();
      await service.retract('7', '100');
      expect(timelines.removeFromMany).toHaveBeenCalledWith(['t:{u:7}:home', 't:{u:7}:posts'], ['100']);
    });
  });

  describe('merge and unmerge', () => {
    it('merge adds the followee recent post ids to the follower home', async () => {
      const { service, timelines, source } = setup();
      source.authorPostIds.mockResolvedValue(['30', '20', '10']);
      await service.merge('1', '2');
      expect(timelines.delete).toHaveBeenCalledWith('t:{u:1}:big');
      expect(source.authorPostIds).toHaveBeenCalledWith('2', MERGE_ON_FOLLOW);
      expect(timelines.addToMany).toHaveBeenCalledWith(['t:{u:1}:home'], ['30', '20', '10'], 800);
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
      expect(timelines.removeFrom).toHaveBeenCalledWith('t:{u:1}:home', ['30', '20']);
    });
  });

  describe('readHome', () => {
    it('reads the home list alone when the user follows no big account, asking one more than the limit', async () => {
      const { service, timelines } = setup();
      timelines.ranges.mockResolvedValue([['50', '40', '30']]);
      await expect(service.readHome('1', { limit: 2, before: '60' })).resolves.toEqual({ ids: ['50', '40'], hasMore: true });
      expect(timelines.ranges).toHaveBeenCalledWith(['t:{u:1}:home'], { limit: 3, before: '60' });
    });

    it('says there is no more when the lists hold no more than the limit', async () => {
      const { service, timelines } = setup();
      timelines.ranges.mockResolvedValue([['50', '40']]);
      await expect(service.readHome('1', { limit: 2 })).resolves.toEqual({ ids: ['50', '40'], hasMore: false });
    });

    it('merges big-account post lists with the home list, newest first, without duplicates', async () => {
      const { service, timelines, source } = setup();
      timelines.cachedList.mockResolvedValue({ ids: ['8', '9'], current: '3' });
      timelines.ranges.mockResolvedValue([
        ['100', '70', '40', '10'],
        ['90', '70', '20'],
        ['95', '40'],
      ]);
      const page = await service.readHome('1', { limit: 5 });
      expect(timelines.ranges).toHaveBeenCalledWith(['t:{u:1}:home', 't:{u:8}:posts', 't:{u:9}:posts'], { limit: 6 });
      expect(page).toEqual({ ids: ['100', '95', '90', '70', '40'], hasMore: true });
      expect(source.bigFollowees).not.toHaveBeenCalled();
    });

    it('loads the big accounts followed when they are not cached, and caches them at the current version', async () => {
      const { service, timelines, source } = setup();
      timelines.cachedList.mockResolvedValue({ ids: null, current: '7' });
      source.bigFollowees.mockResolvedValue(['8']);
      timelines.ranges.mockResolvedValue([['10'], ['20']]);
      await expect(service.readHome('1', { limit: 20 })).resolves.toEqual({ ids: ['20', '10'], hasMore: false });
      expect(timelines.cachedList).toHaveBeenCalledWith('t:{u:1}:big', 't:{big}:version');
      expect(source.bigFollowees).toHaveBeenCalledWith('1', 10_000);
      expect(timelines.cacheList).toHaveBeenCalledWith('t:{u:1}:big', '7', ['8'], expect.any(Number));
      expect(timelines.ranges).toHaveBeenCalledWith(['t:{u:1}:home', 't:{u:8}:posts'], { limit: 21 });
    });

    it('uses a cached empty list of big accounts without asking PostgreSQL', async () => {
      const { service, timelines, source } = setup();
      timelines.ranges.mockResolvedValue([['10']]);
      await service.readHome('1', { limit: 20 });
      expect(source.bigFollowees).not.toHaveBeenCalled();
      expect(timelines.cacheList).not.toHaveBeenCalled();
    });

    it('rebuilds a missing home timeline under the lock from PostgreSQL, then reads again', async () => {
      const { service, timelines, source } = setup();
      timelines.ranges.mockResolvedValueOnce([null]).mockResolvedValueOnce([['30', '20']]);
      source.homePostIds.mockResolvedValue(['30', '20']);
      await expect(service.readHome('1', { limit: 20 })).resolves.toEqual({ ids: ['30', '20'], hasMore: false });
      expect(timelines.lock).toHaveBeenCalledWith('t:{u:1}:home', expect.any(Number));
      expect(source.homePostIds).toHaveBeenCalledWith('1', 800);
      expect(timelines.fill).toHaveBeenCalledWith('t:{u:1}:home', ['30', '20'], 800);
      expect(timelines.unlock).toHaveBeenCalledWith('t:{u:1}:home');
      expect(timelines.ranges).toHaveBeenCalledTimes(2);
      const order = (fn: jest.Mock) => fn.mock.invocationCallOrder[0];
      expect(order(timelines.lock)).toBeLessThan(order(source.homePostIds));
      expect(order(timelines.fill)).toBeLessThan(order(timelines.unlock));
      expect(order(timelines.unlock)).toBeLessThan(timelines.ranges.mock.invocationCallOrder[1]);
    });

    it('rebuilds only the missing list of a big account, from its own posts', async () => {
      const { service, timelines, source } = setup();
      timelines.cachedList.mockResolvedValue({ ids: ['8'], current: '0' });
      timelines.ranges.mockResolvedValueOnce([['10'], null]).mockResolvedValueOnce([['10'], ['20']]);
      source.authorPostIds.mockResolvedValue(['20']);
      await expect(service.readHome('1', { limit: 20 })).resolves.toEqual({ ids: ['20', '10'], hasMore: false });
      expect(source.homePostIds).not.toHaveBeenCalled();
      expect(source.authorPostIds).toHaveBeenCalledWith('8', 800);
      expect(timelines.lock).toHaveBeenCalledTimes(1);
      expect(timelines.fill).toHaveBeenCalledWith('t:{u:8}:posts', ['20'], 800);
    });

    it('unlocks even when the rebuild fails', async () => {
      const { service, timelines, source } = setup();
      timelines.ranges.mockResolvedValue([null]);
      source.homePostIds.mockRejectedValue(new Error('PostgreSQL down'));
      await expect(service.readHome('1', { limit: 20 })).rejects.toThrow('PostgreSQL down');
      expect(timelines.fill).not.toHaveBeenCalled();
      expect(timelines.unlock).toHaveBeenCalledWith('t:{u:1}:home');
    });

    it('waits for a rebuild run by someone else and never fills when the lock is not taken', async () => {
      const { service, timelines, source } = setup();
      timelines.lock.mockResolvedValue(false);
      timelines.isComplete.mockResolvedValueOnce(false).mockResolvedValueOnce(true);
      timelines.ranges.mockResolvedValueOnce([null]).mockResolvedValueOnce([['30']]);
      await expect(service.readHome('1', { limit: 20 })).resolves.toEqual({ ids: ['30'], hasMore: false });
      expect(timelines.isComplete).toHaveBeenCalledTimes(2);
      expect(timelines.isComplete).toHaveBeenCalledWith('t:{u:1}:home');
      expect(source.homePostIds).not.toHaveBeenCalled();
      expect(timelines.fill).not.toHaveBeenCalled();
      expect(timelines.unlock).not.toHaveBeenCalled();
    });

    it('answers 503 when someone else rebuild does not finish in time', async () => {
      const { service, timelines } = setup();
      timelines.lock.mockResolvedValue(false);
      timelines.isComplete.mockResolvedValue(false);
      timelines.ranges.mockResolvedValue([null]);
      // The clock: the deadline is set at 0, one poll runs, then the wait is over.
      jest.spyOn(Date, 'now').mockReturnValueOnce(0).mockReturnValueOnce(0).mockReturnValue(60_000);
      await expect(service.readHome('1', { limit: 20 })).rejects.toThrow(ServiceUnavailableException);
      expect(timelines.isComplete).toHaveBeenCalledTimes(1);
      expect(timelines.fill).not.toHaveBeenCalled();
    });
  });

  describe('populate after a failed rebuild', () => {
    it('takes the lock over when the rebuilder gave up without filling', async () => {
      const { service, timelines, source } = setup();
      timelines.lock.mockResolvedValueOnce(false).mockResolvedValueOnce(true);
      timelines.isComplete.mockResolvedValue(false);
      timelines.ranges.mockResolvedValueOnce([null]).mockResolvedValueOnce([['30']]);
      source.homePostIds.mockResolvedValue(['30']);
      await expect(service.readHome('1', { limit: 20 })).resolves.toEqual({ ids: ['30'], hasMore: false });
      expect(timelines.lock).toHaveBeenCalledTimes(2);
      expect(timelines.fill).toHaveBeenCalledWith('t:{u:1}:home', ['30'], 800);
    });
  });

  describe('noteActivity', () => {
    it('drops the timeline of a user inactive longer than FANOUT_INACTIVE_DAYS', async () => {
      const { service, timelines, source } = setup();
      source.touch.mockResolvedValue(new Date(Date.now() - 31 * DAY_MS));
      await service.noteActivity('1');
      expect(timelines.firstIn).toHaveBeenCalledWith('t:{u:1}:seen', expect.any(Number));
      expect(source.touch).toHaveBeenCalledWith('1');
      expect(timelines.delete).toHaveBeenCalledWith('t:{u:1}:home');
    });

    it('keeps the timeline of an active user', async () => {
      const { service, timelines, source } = setup();
      source.touch.mockResolvedValue(new Date(Date.now() - 29 * DAY_MS));
      await service.noteActivity('1');
      expect(source.touch).toHaveBeenCalledWith('1');
      expect(timelines.delete).not.toHaveBeenCalled();
    });

    it('keeps the timeline when the user is unknown', async () => {
      const { service, timelines, source } = setup();
      source.touch.mockResolvedValue(undefined);
      await service.noteActivity('1');
      expect(timelines.delete).not.toHaveBeenCalled();
    });

    it('does nothing when activity was already noted in this period', async () => {
      const { service, timelines, source } = setup();
      timelines.firstIn.mockResolvedValue(false);
      await service.noteActivity('1');
      expect(source.touch).not.toHaveBeenCalled();
      expect(timelines.delete).not.toHaveBeenCalled();
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

describe('mergeNewestFirst', () => {
  it('orders ids of different digit lengths numerically, not as strings', () => {
    expect(mergeNewestFirst([['100', '99', '9'], ['1000', '10']], 10)).toEqual({
      ids: ['1000', '100', '99', '10', '9'],
      hasMore: false,
    });
  });

  it('orders 16- and 17-digit ids numerically', () => {
    expect(mergeNewestFirst([['9999999999999999'], ['10000000000000000'], ['1000000000000000']], 3).ids).toEqual([
      '10000000000000000',
      '9999999999999999',
      '1000000000000000',
    ]);
  });

  it('drops duplicates across lists', () => {
    expect(mergeNewestFirst([['5', '3', '1'], ['5', '4', '3']], 10)).toEqual({ ids: ['5', '4', '3', '1'], hasMore: false });
  });

  it('cuts to the limit and says there is more', () => {
    expect(mergeNewestFirst([['5', '3'], ['4', '2']], 3)).toEqual({ ids: ['5', '4', '3'], hasMore: true });
    expect(mergeNewestFirst([['5', '3'], ['5', '3']], 2)).toEqual({ ids: ['5', '3'], hasMore: false });
  });

  it('handles no lists and empty lists', () => {
    expect(mergeNewestFirst([], 20)).toEqual({ ids: [], hasMore: false });
    expect(mergeNewestFirst([[], []], 20)).toEqual({ ids: [], hasMore: false });
  });
});
