import { Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { MergeFollowee, RemergeFollowee, RetractPost, UnmergeFollowee, UnmergeMuted } from '../jobs/job-catalogue';
import { JobDispatcher } from '../jobs/job-dispatcher';
import { LiveFeedService } from '../realtime/live-feed.service';
import { GraphService } from '../graph/graph.service';
import { FeedFilter } from '../timelines/feed-filter.service';
import { TimelineService } from '../timelines/timeline.service';
import { FanoutStatusRepository } from './fanout-status.repository';
import { TimelineEditsService } from './timeline-edits.service';

const config = { fanoutBatchSize: 2 } as AppConfig;
const job = { postId: '500', authorId: '7' };
const END = { ids: [], lastId: null, scanned: 0 };

function setup() {
  const followers = { page: jest.fn().mockResolvedValue(END) };
  const source = { isFollowing: jest.fn() };
  const graph = { followerPage: followers.page, isFollowing: source.isFollowing };
  const filter = { hidesAccount: jest.fn().mockResolvedValue(false) };
  const timelines = {
    retract: jest.fn().mockResolvedValue(undefined),
    unpush: jest.fn().mockResolvedValue(undefined),
    merge: jest.fn().mockResolvedValue(undefined),
    unmerge: jest.fn().mockResolvedValue([]),
  };
  const dispatcher = { done: jest.fn().mockResolvedValue(undefined) };
  const live = { retract: jest.fn().mockResolvedValue(undefined), retractFromBigAccountFollowers: jest.fn() };
  const status = { find: jest.fn().mockResolvedValue({ state: 'done' }) };
  const service = new TimelineEditsService(graph as unknown as GraphService, filter as unknown as FeedFilter, timelines as unknown as TimelineService, dispatcher as unknown as JobDispatcher, live as unknown as LiveFeedService, config, status as unknown as FanoutStatusRepository);
  return { service, followers, source, filter, timelines, dispatcher, live, status };
}

beforeAll(() => Logger.overrideLogger(false));

describe('TimelineEditsService', () => {
  describe('retractPost', () => {
    it('retracts from the author, unpushes from every follower page, active or not, and marks the outbox done', async () => {
      const m = setup();
      m.followers.page
        .mockResolvedValueOnce({ ids: ['1', '2'], lastId: '2', scanned: 2 })
        .mockResolvedValueOnce({ ids: ['3'], lastId: '3', scanned: 1 })
        .mockResolvedValueOnce(END);
      await m.service.retractPost(job);
      expect(m.timelines.retract).toHaveBeenCalledWith('7', '500');
      expect(m.followers.page.mock.calls.map((c) => [c[1], c[2], c[4]])).toEqual([
        ['0', null, new Date(0)],
        ['2', null, new Date(0)],
        ['3', null, new Date(0)],
      ]);
      expect(m.timelines.unpush.mock.calls).toEqual([
        [['1', '2'], '500'],
        [['3'], '500'],
      ]);
      expect(m.dispatcher.done).toHaveBeenCalledWith(RetractPost, job);
    });
  });

  describe('retractPost of a post that was never fanned out', () => {
    it.each(['skipped', 'pending'])('retracts from the author and the big account’s room only, with no walk, when the fan-out is %s', async (state) => {
      const m = setup();
      m.status.find.mockResolvedValue({ state });
      await m.service.retractPost(job);
      expect(m.timelines.retract).toHaveBeenCalledWith('7', '500');
      expect(m.live.retractFromBigAccountFollowers).toHaveBeenCalledWith('7', '500');
      expect(m.followers.page).not.toHaveBeenCalled();
      expect(m.dispatcher.done).toHaveBeenCalledWith(RetractPost, job);
    });

    it('fails, to be retried, while the fan-out is still running', async () => {
      const m = setup();
      m.status.find.mockResolvedValue({ state: 'running' });
      await expect(m.service.retractPost(job)).rejects.toThrow(/still running/);
      expect(m.followers.page).not.toHaveBeenCalled();
      expect(m.dispatcher.done).not.toHaveBeenCalled();
    });
  });

  describe('mergeFollowee and unmergeFollowee', () => {
    const follow = { followerId: '1', followeeId: '2', seq: '33' };

    it('merges when the follow still stands', async () => {
      const m = setup();
      m.source.isFollowing.mockResolvedValue(true);
      await m.service.mergeFollowee(follow);
      expect(m.source.isFollowing).toHaveBeenCalledWith('1', '2');
      expect(m.timelines.merge).toHaveBeenCalledWith('1', '2');
      expect(m.dispatcher.done).toHaveBeenCalledWith(MergeFollowee, follow);
    });

    it('does not merge when the user has unfollowed since', async () => {
      const m = setup();
      m.source.isFollowing.mockResolvedValue(false);
      await m.service.mergeFollowee(follow);
      expect(m.timelines.merge).not.toHaveBeenCalled();
      expect(m.dispatcher.done).toHaveBeenCalledWith(MergeFollowee, follow);
    });

    it('unmerges when the unfollow still stands', async () => {
      const m = setup();
      m.source.isFollowing.mockResolvedValue(false);
      await m.service.unmergeFollowee(follow);
      expect(m.source.isFollowing).toHaveBeenCalledWith('1', '2');
      expect(m.timelines.unmerge).toHaveBeenCalledWith('1', '2');
      expect(m.dispatcher.done).toHaveBeenCalledWith(UnmergeFollowee, follow);
    });

    it('does not unmerge when the user has followed again since', async () => {
      const m = setup();
      m.source.isFollowing.mockResolvedValue(true);
      await m.service.unmergeFollowee(follow);
      expect(m.timelines.unmerge).not.toHaveBeenCalled();
      expect(m.dispatcher.done).toHaveBeenCalledWith(UnmergeFollowee, follow);
    });
  });

  describe('the feed rules in the follow edits', () => {
    const edge = { followerId: '1', followeeId: '2', seq: '44' };

    it('does not merge an account the follower mutes or blocks, and still marks the job done', async () => {
      const m = setup();
      m.source.isFollowing.mockResolvedValue(true);
      m.filter.hidesAccount.mockResolvedValue(true);
      await m.service.mergeFollowee(edge);
      expect(m.filter.hidesAccount).toHaveBeenCalledWith('1', '2');
      expect(m.timelines.merge).not.toHaveBeenCalled();
      expect(m.dispatcher.done).toHaveBeenCalledWith(MergeFollowee, edge);
    });

    it('merges again after an unmute, and marks the unmute job done', async () => {
      const m = setup();
      m.source.isFollowing.mockResolvedValue(true);
      await m.service.mergeFollowee(edge, RemergeFollowee);
      expect(m.timelines.merge).toHaveBeenCalledWith('1', '2');
      expect(m.dispatcher.done).toHaveBeenCalledWith(RemergeFollowee, edge);
    });

    it('unmerges a muted account while the mute stands, and tells the muter’s screens', async () => {
      const m = setup();
      m.filter.hidesAccount.mockResolvedValue(true);
      m.timelines.unmerge.mockResolvedValue(['30']);
      await m.service.unmergeMuted(edge);
      expect(m.timelines.unmerge).toHaveBeenCalledWith('1', '2');
      expect(m.live.retract.mock.calls).toEqual([[['1'], '30']]);
      expect(m.dispatcher.done).toHaveBeenCalledWith(UnmergeMuted, edge);
    });

    it('leaves the timeline alone when the mute was undone since', async () => {
      const m = setup();
      m.filter.hidesAccount.mockResolvedValue(false);
      await m.service.unmergeMuted(edge);
      expect(m.timelines.unmerge).not.toHaveBeenCalled();
      expect(m.dispatcher.done).toHaveBeenCalledWith(UnmergeMuted, edge);
    });
  });

  describe('live screens', () => {
    it('tells the author, the big-account room and each page of followers that a post is gone', async () => {
      const m = setup();
      m.followers.page.mockResolvedValueOnce({ ids: ['1', '2'], lastId: '2', scanned: 2 }).mockResolvedValueOnce(END);
      await m.service.retractPost(job);
      expect(m.live.retractFromBigAccountFollowers).toHaveBeenCalledWith('7', '500');
      expect(m.live.retract.mock.calls).toEqual([
        [['7'], '500'],
        [['1', '2'], '500'],
      ]);
    });

    it('tells the unfollower which posts left their timeline', async () => {
      const m = setup();
      m.source.isFollowing.mockResolvedValue(false);
      m.timelines.unmerge.mockResolvedValue(['30', '20']);
      await m.service.unmergeFollowee({ followerId: '1', followeeId: '2', seq: '9' });
      expect(m.live.retract.mock.calls).toEqual([
        [['1'], '30'],
        [['1'], '20'],
      ]);
    });
  });
});
