import { Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { FanoutChunk, FanoutPost, SettleAccount } from '../jobs/job-catalogue';
import { JobDispatcher } from '../jobs/job-dispatcher';
import { JobQueue } from '../jobs/job-queue';
import { FanoutMetrics } from '../metrics/fanout.metrics';
import { TimelineService } from '../timelines/timeline.service';
import { ChunkRow, FanoutState, FanoutStatusRow, FanoutStatusRepository } from './fanout-status.repository';
import { PostHydrator } from '../post-store/post-hydrator.service';
import { LiveFeedService } from '../realtime/live-feed.service';
import { BigAccountsRepository } from './big-accounts.repository';
import { FanoutService } from './fanout.service';
import { GraphService } from '../graph/graph.service';
import { FeedFilter } from '../timelines/feed-filter.service';

const DAY_MS = 86_400_000;
const THRESHOLD = 10_000;
const config = {
  fanoutCelebrityThreshold: THRESHOLD,
  fanoutBatchSize: 2,
  fanoutChunkSize: 4,
  fanoutInactiveDays: 30,
} as AppConfig;
const job = { postId: '500', authorId: '7' };

function statusRow(state: FanoutState, extra: Partial<FanoutStatusRow> = {}): FanoutStatusRow {
  return {
    post_id: '500',
    state,
    followers: 0,
    delivered: 0,
    chunks_total: 0,
    chunks_done: 0,
    started_at: null,
    finished_at: null,
    delay_ms: null,
    ...extra,
  };
}

function chunkRow(chunkNo: number, extra: Partial<ChunkRow> = {}): ChunkRow {
  return { chunk_no: chunkNo, after_id: '0', upto_id: null, cursor_id: '0', delivered: 0, done: false, ...extra };
}

type Page = { ids: string[]; lastId: string | null; scanned: number };
const END: Page = { ids: [], lastId: null, scanned: 0 };

function setup() {
  const status = {
    find: jest.fn(),
    start: jest.fn().mockResolvedValue(undefined),
    chunks: jest.fn().mockResolvedValue([]),
    chunk: jest.fn(),
    checkpoint: jest.fn().mockResolvedValue(undefined),
    finishChunk: jest.fn().mockResolvedValue(undefined),
    skip: jest.fn().mockResolvedValue(true),
  };
  const followers = {
    count: jest.fn().mockResolvedValue(3),
    slices: jest.fn().mockResolvedValue([{ afterId: '0', uptoId: null }]),
    page: jest.fn().mockResolvedValue(END),
    among: jest.fn().mockResolvedValue([]),
  };
  const timelines = {
    publish: jest.fn().mockResolvedValue(undefined),
    noteAccountSize: jest.fn().mockResolvedValue(false),
    isBigAccount: jest.fn((n: number) => n > THRESHOLD),
    push: jest.fn().mockResolvedValue(0),
    pushRepost: jest.fn(async (ids: string[]) => ids.slice(1)),
    unpush: jest.fn().mockResolvedValue(undefined),
    retract: jest.fn().mockResolvedValue(undefined),
    merge: jest.fn().mockResolvedValue(undefined),
    unmerge: jest.fn().mockResolvedValue([]),
  };
  const post = { id: '500', text: 'hi', createdAt: '2026-01-01T00:00:00.000Z', author: { id: '7', username: 'a', displayName: 'a' } };
  const hydrator = { hydrate: jest.fn().mockResolvedValue([post]) };
  const live = {
    deliver: jest.fn().mockResolvedValue([]),
    toBigAccountFollowers: jest.fn(),
    retract: jest.fn().mockResolvedValue(undefined),
    retractFromBigAccountFollowers: jest.fn(),
    onlineUsers: jest.fn().mockResolvedValue([]),
    followBigAccount: jest.fn(),
  };
  const graph = { followerCount: followers.count, followerSlices: followers.slices, followerPage: followers.page, followersAmong: followers.among };
  // Lets every reader through unless a test says otherwise.
  const filter = { readersOf: jest.fn(async (_post: unknown, ids: string[]) => ids), keptOut: jest.fn().mockResolvedValue([]), fitsRoom: jest.fn(() => true) };
  const queue = { requeue: jest.fn().mockResolvedValue(undefined), addMany: jest.fn().mockResolvedValue(undefined) };
  const accounts = { markMerged: jest.fn().mockResolvedValue(true), isMerged: jest.fn().mockResolvedValue(false) };
  const dispatcher = { done: jest.fn().mockResolvedValue(undefined) };
  const metrics = { skipped: { inc: jest.fn() }, deliveries: { inc: jest.fn() }, observeDelay: jest.fn() };
  const service = new FanoutService(status as unknown as FanoutStatusRepository, graph as unknown as GraphService, filter as unknown as FeedFilter, timelines as unknown as TimelineService, queue as unknown as JobQueue, dispatcher as unknown as JobDispatcher, metrics as unknown as FanoutMetrics, hydrator as unknown as PostHydrator, live as unknown as LiveFeedService, config, accounts as unknown as BigAccountsRepository);
  return { service, status, followers, filter, timelines, queue, dispatcher, metrics, hydrator, live, post, accounts };
}

beforeAll(() => Logger.overrideLogger(false));
afterEach(() => jest.restoreAllMocks());

describe('FanoutService', () => {
  describe('fanoutPost', () => {
    it.each([
      ['done', statusRow('done')],
      ['skipped', statusRow('skipped')],
      ['missing', undefined],
    ])('only marks the outbox done when the status is %s', async (_, row) => {
      const m = setup();
      m.status.find.mockResolvedValue(row);
      await m.service.fanoutPost(job);
      expect(m.status.find).toHaveBeenCalledWith('500');
      expect(m.dispatcher.done).toHaveBeenCalledWith(FanoutPost, job);
      expect(m.timelines.publish).not.toHaveBeenCalled();
      expect(m.followers.count).not.toHaveBeenCalled();
      expect(m.followers.slices).not.toHaveBeenCalled();
      expect(m.followers.page).not.toHaveBeenCalled();
      expect(m.status.start).not.toHaveBeenCalled();
      expect(m.status.skip).not.toHaveBeenCalled();
      expect(m.queue.requeue).not.toHaveBeenCalled();
      expect(m.timelines.push).not.toHaveBeenCalled();
    });

    it('skips a big author: marks the post skipped, counts it, and never pages followers', async () => {
      const m = setup();
      m.status.find.mockResolvedValue(statusRow('pending'));
      m.followers.count.mockResolvedValue(THRESHOLD + 1);
      await m.service.fanoutPost(job);
      expect(m.timelines.publish).toHaveBeenCalledWith('7', '500');
      expect(m.timelines.noteAccountSize).toHaveBeenCalledWith('7', THRESHOLD + 1);
      expect(m.status.skip).toHaveBeenCalledWith('500', THRESHOLD + 1);
      expect(m.metrics.skipped.inc).toHaveBeenCalledTimes(1);
      expect(m.dispatcher.done).toHaveBeenCalledWith(FanoutPost, job);
      expect(m.followers.slices).not.toHaveBeenCalled();
      expect(m.followers.page).not.toHaveBeenCalled();
      expect(m.status.start).not.toHaveBeenCalled();
      expect(m.timelines.push).not.toHaveBeenCalled();
    });

    it('marks a big author merged at read before it skips their post', async () => {
      const m = setup();
      m.status.find.mockResolvedValue(statusRow('pending'));
      m.followers.count.mockResolvedValue(THRESHOLD + 1);
      await m.service.fanoutPost(job);
      expect(m.accounts.markMerged).toHaveBeenCalledWith('7');
      expect(m.accounts.markMerged.mock.invocationCallOrder[0]).toBeLessThan(m.status.skip.mock.invocationCallOrder[0]);
      expect(m.queue.requeue).not.toHaveBeenCalled();
    });

    it('fans out the post of an author who stopped being big, and has the posts of their big days settled (rule 6)', async () => {
      const m = setup();
      m.status.find.mockResolvedValue(statusRow('pending'));
      m.followers.count.mockResolvedValue(THRESHOLD);
      m.accounts.isMerged.mockResolvedValue(true);
      await m.service.fanoutPost(job);
      expect(m.queue.requeue).toHaveBeenCalledWith(SettleAccount, { authorId: '7' });
      expect(m.status.skip).not.toHaveBeenCalled();
      expect(m.status.start).toHaveBeenCalled();
      expect(m.accounts.markMerged).not.toHaveBeenCalled();
    });

    it('writes a post deleted before its fan-out ran nowhere, not even on its author’s timeline', async () => {
      const m = setup();
      m.status.find.mockResolvedValue(statusRow('pending'));
      m.hydrator.hydrate.mockResolvedValue([]);
      await m.service.fanoutPost(job);
      expect(m.timelines.publish).not.toHaveBeenCalled();
      expect(m.status.start).not.toHaveBeenCalled();
      expect(m.status.skip).not.toHaveBeenCalled();
      expect(m.dispatcher.done).toHaveBeenCalledWith(FanoutPost, job);
    });

    it('still requeues the open chunks of a running post deleted meanwhile, so that they finish', async () => {
      const m = setup();
      m.status.find.mockResolvedValue(statusRow('running'));
      m.status.chunks.mockResolvedValue([chunkRow(0)]);
      m.hydrator.hydrate.mockResolvedValue([]);
      await m.service.fanoutPost(job);
      expect(m.timelines.publish).not.toHaveBeenCalled();
      expect(m.queue.requeue).toHaveBeenCalledWith(FanoutChunk, { ...job, chunkNo: 0 });
    });

    it('pushes a big account’s reply to another account to its online followers the rules let through, not to its room', async () => {
      const m = setup();
      const reply = { ...m.post, replyTo: { id: '1', author: { id: '9', username: 'b', displayName: 'b' } } };
      m.hydrator.hydrate.mockResolvedValue([reply]);
      m.filter.fitsRoom.mockReturnValue(false);
      m.filter.readersOf.mockResolvedValue(['2']);
      m.status.find.mockResolvedValue(statusRow('pending'));
      m.followers.count.mockResolvedValue(THRESHOLD + 1);
      m.live.onlineUsers.mockResolvedValue(['2', '3', '4']);
      m.followers.among.mockResolvedValue(['2', '3']);
      await m.service.fanoutPost(job);
      expect(m.live.toBigAccountFollowers).not.toHaveBeenCalled();
      expect(m.filter.readersOf).toHaveBeenCalledWith(reply, ['2', '3']);
      expect(m.live.deliver).toHaveBeenCalledWith(['2'], reply);
      expect(m.timelines.push).not.toHaveBeenCalled();
    });

    it('does not count a skip twice when a replayed job finds it already skipped by a twin', async () => {
      const m = setup();
      m.status.find.mockResolvedValue(statusRow('pending'));
      m.followers.count.mockResolvedValue(THRESHOLD + 1);
      m.status.skip.mockResolvedValue(false);
      await m.service.fanoutPost(job);
      expect(m.metrics.skipped.inc).not.toHaveBeenCalled();
      expect(m.dispatcher.done).toHaveBeenCalledWith(FanoutPost, job);
      expect(m.followers.page).not.toHaveBeenCalled();
    });

    it('fans out an author at exactly the threshold', async () => {
      const m = setup();
      m.status.find.mockResolvedValue(statusRow('pending'));
      m.followers.count.mockResolvedValue(THRESHOLD);
      m.status.chunks.mockResolvedValue([chunkRow(0)]);
      m.status.chunk.mockResolvedValue(chunkRow(0));
      await m.service.fanoutPost(job);
      expect(m.status.skip).not.toHaveBeenCalled();
      expect(m.followers.slices).toHaveBeenCalled();
      expect(m.followers.page).toHaveBeenCalled();
    });

    it('plans a pending post and hands every chunk of a big following to the bulk queue', async () => {
      const m = setup();
      const slices = [
        { afterId: '0', uptoId: '40' },
        { afterId: '40', uptoId: '80' },
        { afterId: '80', uptoId: null },
      ];
      m.status.find.mockResolvedValue(statusRow('pending'));
      m.followers.count.mockResolvedValue(9);
      m.followers.slices.mockResolvedValue(slices);
      m.status.chunks.mockResolvedValue([
        chunkRow(0, { upto_id: '40' }),
        chunkRow(1, { after_id: '40', cursor_id: '40', upto_id: '80' }),
        chunkRow(2, { after_id: '80', cursor_id: '80' }),
      ]);
      await m.service.fanoutPost(job);

      expect(m.followers.slices).toHaveBeenCalledWith('7', config.fanoutChunkSize);
      expect(m.status.start).toHaveBeenCalledWith('500', 9, slices);
      // A fresh plan: its chunks go to the queue in one call, never requeued one by one.
      expect(m.queue.addMany.mock.calls).toEqual([
        [
          FanoutChunk,
          [
            { ...job, chunkNo: 0 },
            { ...job, chunkNo: 1 },
            { ...job, chunkNo: 2 },
          ],
        ],
      ]);
      expect(m.queue.requeue).not.toHaveBeenCalled();
      expect(FanoutChunk.queue).toBe('fanout-bulk');
      // Nothing written here: the job on the small-post queue ends at once.
      expect(m.status.chunk).not.toHaveBeenCalled();
      expect(m.followers.page).not.toHaveBeenCalled();
      const order = (fn: jest.Mock) => fn.mock.invocationCallOrder[0];
      expect(order(m.followers.slices)).toBeLessThan(order(m.status.start));
      expect(order(m.status.start)).toBeLessThan(order(m.status.chunks));
    });

    it('writes a following of one chunk right away, without the bulk queue', async () => {
      const m = setup();
      m.status.find.mockResolvedValue(statusRow('pending'));
      m.status.chunks.mockResolvedValue([chunkRow(0)]);
      m.status.chunk.mockResolvedValue(chunkRow(0));
      await m.service.fanoutPost(job);
      expect(m.queue.requeue).not.toHaveBeenCalled();
      expect(m.status.chunk).toHaveBeenCalledWith('500', 0);
      expect(m.followers.page).toHaveBeenCalledWith('7', '0', null, config.fanoutBatchSize, expect.any(Date));
      expect(m.status.finishChunk).toHaveBeenCalledWith('500', 0);
    });

    it('resumes a running post without planning again: requeues its open chunks and runs none inline', async () => {
      const m = setup();
      m.status.find.mockResolvedValue(statusRow('running'));
      m.status.chunks.mockResolvedValue([chunkRow(0, { done: true }), chunkRow(1), chunkRow(2)]);
      await m.service.fanoutPost(job);
      expect(m.followers.slices).not.toHaveBeenCalled();
      expect(m.status.start).not.toHaveBeenCalled();
      expect(m.queue.requeue.mock.calls).toEqual([
        [FanoutChunk, { ...job, chunkNo: 1 }],
        [FanoutChunk, { ...job, chunkNo: 2 }],
      ]);
      expect(m.status.chunk).not.toHaveBeenCalled();
      expect(m.followers.page).not.toHaveBeenCalled();
    });

    it('does not skip a running post even if its author has since become big', async () => {
      const m = setup();
      m.status.find.mockResolvedValue(statusRow('running'));
      m.followers.count.mockResolvedValue(THRESHOLD + 1);
      m.status.chunks.mockResolvedValue([chunkRow(0)]);
      await m.service.fanoutPost(job);
      expect(m.status.skip).not.toHaveBeenCalled();
      expect(m.queue.requeue).toHaveBeenCalledWith(FanoutChunk, { ...job, chunkNo: 0 });
    });

    it('publishes to the author own timeline again, for posts whose inline write missed', async () => {
      const m = setup();
      m.status.find.mockResolvedValue(statusRow('pending'));
      await m.service.fanoutPost(job);
      expect(m.timelines.publish).toHaveBeenCalledWith('7', '500');
    });
  });

  describe('online first', () => {
    it('writes and pushes to online followers while the walk through all of them is planned, neither waiting for the other', async () => {
      const m = setup();
      m.status.find.mockResolvedValue(statusRow('pending'));
      m.followers.count.mockResolvedValue(5); // more than one batch (2)
      m.live.onlineUsers.mockResolvedValue(['40', '41', '42']);
      m.followers.among.mockResolvedValueOnce(['40']).mockResolvedValueOnce(['42']);
      const push = deferred<void>();
      m.live.deliver.mockReturnValueOnce(push.promise); // the online pass is slow
      const fanout = m.service.fanoutPost(job);
      await new Promise((resolve) => setImmediate(resolve)); // the mocks' promises settle
      expect(m.live.deliver).toHaveBeenCalledWith(['40', '42'], m.post);
      expect(m.followers.among.mock.calls).toEqual([
        ['7', ['40', '41']],
        ['7', ['42']],
      ]);
      expect(m.timelines.push).toHaveBeenCalledWith(['40', '42'], '500');
      expect(m.status.start).toHaveBeenCalled();
      push.resolve();
      await fanout;
    });

    it('skips the online pass for a following that fits in one batch', async () => {
      const m = setup();
      m.status.find.mockResolvedValue(statusRow('pending'));
      m.followers.count.mockResolvedValue(2);
      await m.service.fanoutPost(job);
      expect(m.live.onlineUsers).not.toHaveBeenCalled();
    });

    it('moves online followers into the room of an author who just became big, and sends them its first post one by one', async () => {
      const m = setup();
      m.status.find.mockResolvedValue(statusRow('pending'));
      m.followers.count.mockResolvedValue(THRESHOLD + 1);
      m.timelines.noteAccountSize.mockResolvedValue(true);
      m.live.onlineUsers.mockResolvedValue(['40', '41']);
      m.followers.among.mockResolvedValue(['41']);
      await m.service.fanoutPost(job);
      expect(m.live.followBigAccount).toHaveBeenCalledWith('41', '7', true);
      // The joins may reach the API nodes after a room emit would: this post does not rely on them.
      expect(m.live.deliver).toHaveBeenCalledWith(['41'], m.post);
      expect(m.live.toBigAccountFollowers).not.toHaveBeenCalled();
    });
  });

  describe('runChunk', () => {
    const chunkJob = { ...job, chunkNo: 1 };

    it('passes each page through the feed rules once, and writes and pushes only the readers they let through', async () => {
      const m = setup();
      m.status.chunk.mockResolvedValue(chunkRow(1));
      m.followers.page
        .mockResolvedValueOnce({ ids: ['21', '25'], lastId: '25', scanned: 2 })
        .mockResolvedValueOnce({ ids: ['40', '41'], lastId: '41', scanned: 2 })
        .mockResolvedValueOnce(END);
      m.filter.readersOf.mockImplementation(async (_post: unknown, ids: string[]) => ids.filter((id) => id !== '25' && id !== '40'));
      await m.service.runChunk(chunkJob);
      expect(m.filter.readersOf.mock.calls).toEqual([
        [m.post, ['21', '25']],
        [m.post, ['40', '41']],
      ]);
      expect(m.timelines.push.mock.calls).toEqual([
        [['21'], '500'],
        [['41'], '500'],
      ]);
      expect(m.live.deliver.mock.calls).toEqual([
        [['21'], m.post],
        [['41'], m.post],
      ]);
      // Skipped readers were still walked: the checkpoint counts every follower scanned.
      expect(m.status.checkpoint.mock.calls.at(-1)).toEqual(['500', 1, '41', 4]);
    });

    it('pages followers from the checkpoint, pushes each page, checkpoints with the running count, stops at the end', async () => {
      const m = setup();
      jest.spyOn(Date, 'now').mockReturnValue(100 * DAY_MS);
      m.status.chunk.mockResolvedValue(chunkRow(1, { after_id: '10', cursor_id: '20', upto_id: '90', delivered: 5 }));
      m.followers.page
        .mockResolvedValueOnce({ ids: ['21', '25'], lastId: '25', scanned: 2 })
        .mockResolvedValueOnce({ ids: ['40'], lastId: '41', scanned: 2 })
        .mockResolvedValueOnce(END);
      await m.service.runChunk(chunkJob);

      const activeSince = new Date(70 * DAY_MS);
      expect(m.followers.page.mock.calls).toEqual([
        ['7', '20', '90', 2, activeSince],
        ['7', '25', '90', 2, activeSince],
        ['7', '41', '90', 2, activeSince],
      ]);
      expect(m.timelines.push.mock.calls).toEqual([
        [['21', '25'], '500'],
        [['40'], '500'],
      ]);
      expect(m.status.checkpoint.mock.calls).toEqual([
        ['500', 1, '25', 7],
        ['500', 1, '41', 9],
      ]);
      expect(m.metrics.deliveries.inc.mock.calls).toEqual([[2], [2]]);
      // Each page is written before its checkpoint, so a crash replays a page rather than losing one.
      expect(m.timelines.push.mock.invocationCallOrder[0]).toBeLessThan(m.status.checkpoint.mock.invocationCallOrder[0]);
      expect(m.status.checkpoint.mock.invocationCallOrder[0]).toBeLessThan(m.timelines.push.mock.invocationCallOrder[1]);
      // The next page is asked for before this one is written: PostgreSQL and Redis work side by side.
      expect(m.followers.page.mock.invocationCallOrder[1]).toBeLessThan(m.timelines.push.mock.invocationCallOrder[0]);
      expect(m.status.finishChunk).toHaveBeenCalledWith('500', 1);
    });

    it('moves past a page of only inactive followers', async () => {
      const m = setup();
      m.status.chunk.mockResolvedValue(chunkRow(1));
      m.followers.page.mockResolvedValueOnce({ ids: [], lastId: '30', scanned: 2 }).mockResolvedValueOnce(END);
      await m.service.runChunk(chunkJob);
      expect(m.followers.page).toHaveBeenCalledTimes(2);
      expect(m.followers.page.mock.calls[1][1]).toBe('30');
      expect(m.status.checkpoint).toHaveBeenCalledWith('500', 1, '30', 2);
    });

    it('writes a repost through rule 2’s dedup, and pushes it live only where it was added', async () => {
      const m = setup();
      const repost = { ...m.post, id: '600', text: '', repostOf: { ...m.post, id: '400' } };
      m.hydrator.hydrate.mockResolvedValue([repost]);
      m.status.chunk.mockResolvedValue(chunkRow(1));
      m.followers.page.mockResolvedValueOnce({ ids: ['21', '25', '30'], lastId: '30', scanned: 3 }).mockResolvedValueOnce(END);
      await m.service.runChunk({ ...chunkJob, postId: '600' });
      expect(m.timelines.pushRepost).toHaveBeenCalledWith(['21', '25', '30'], '600', '400');
      expect(m.timelines.push).not.toHaveBeenCalled();
      expect(m.live.deliver).toHaveBeenCalledWith(['25', '30'], repost);
    });

    it('stops writing at the batch where it finds the post deleted, and finishes the chunk', async () => {
      const m = setup();
      m.status.chunk.mockResolvedValue(chunkRow(1));
      m.hydrator.hydrate.mockResolvedValueOnce([m.post]).mockResolvedValue([]);
      m.followers.page.mockResolvedValue({ ids: ['21', '25'], lastId: '25', scanned: 2 });
      await m.service.runChunk(chunkJob);
      expect(m.timelines.push).toHaveBeenCalledTimes(1);
      expect(m.live.deliver).toHaveBeenCalledTimes(1);
      expect(m.status.finishChunk).toHaveBeenCalledWith('500', 1);
    });

    it('ignores a page read ahead that failed once the post is found deleted', async () => {
      const m = setup();
      m.status.chunk.mockResolvedValue(chunkRow(1));
      m.hydrator.hydrate.mockResolvedValueOnce([m.post]).mockResolvedValue([]);
      m.followers.page
        .mockResolvedValueOnce({ ids: ['21', '25'], lastId: '25', scanned: 2 })
        .mockRejectedValueOnce(new Error('connection terminated'));
      await m.service.runChunk(chunkJob);
      expect(m.timelines.push).toHaveBeenCalledTimes(1);
      expect(m.status.finishChunk).toHaveBeenCalledWith('500', 1);
    });

    it('fails the job, checkpoint kept, when the page it needs next could not be read', async () => {
      const m = setup();
      m.status.chunk.mockResolvedValue(chunkRow(1));
      m.followers.page
        .mockResolvedValueOnce({ ids: ['21', '25'], lastId: '25', scanned: 2 })
        .mockRejectedValueOnce(new Error('connection terminated'));
      await expect(m.service.runChunk(chunkJob)).rejects.toThrow('connection terminated');
      expect(m.status.checkpoint.mock.calls).toEqual([['500', 1, '25', 2]]);
      expect(m.status.finishChunk).not.toHaveBeenCalled();
    });

    it('finishes an empty chunk without writing', async () => {
      const m = setup();
      m.status.chunk.mockResolvedValue(chunkRow(1));
      await m.service.runChunk(chunkJob);
      expect(m.followers.page).toHaveBeenCalledTimes(1);
      expect(m.timelines.push).not.toHaveBeenCalled();
      expect(m.status.checkpoint).not.toHaveBeenCalled();
      expect(m.status.finishChunk).toHaveBeenCalledWith('500', 1);
    });

    it('does not run a chunk that is already done again', async () => {
      const m = setup();
      m.status.chunk.mockResolvedValue(chunkRow(1, { done: true }));
      await m.service.runChunk(chunkJob);
      expect(m.followers.page).not.toHaveBeenCalled();
      expect(m.timelines.push).not.toHaveBeenCalled();
      expect(m.status.checkpoint).not.toHaveBeenCalled();
      expect(m.dispatcher.done).not.toHaveBeenCalled();
    });

    it('does nothing for an unknown chunk', async () => {
      const m = setup();
      m.status.chunk.mockResolvedValue(undefined);
      await m.service.runChunk(chunkJob);
      expect(m.followers.page).not.toHaveBeenCalled();
      expect(m.status.finishChunk).not.toHaveBeenCalled();
      expect(m.dispatcher.done).not.toHaveBeenCalled();
    });

    it('marks the outbox done and observes the delay when finishChunk returns a done row', async () => {
      const m = setup();
      m.status.chunk.mockResolvedValue(chunkRow(1));
      m.status.finishChunk.mockResolvedValue(statusRow('done', { followers: 9, delivered: 9, delay_ms: 1500 }));
      await m.service.runChunk(chunkJob);
      expect(m.dispatcher.done).toHaveBeenCalledWith(FanoutPost, expect.objectContaining(job));
      expect(FanoutPost.jobId(m.dispatcher.done.mock.calls[0][1])).toBe('post-500');
      expect(m.metrics.observeDelay).toHaveBeenCalledWith(1500, 9);
    });

    it('leaves the outbox open when other chunks are still running', async () => {
      const m = setup();
      m.status.chunk.mockResolvedValue(chunkRow(1));
      m.status.finishChunk.mockResolvedValue(statusRow('running', { chunks_total: 3, chunks_done: 1 }));
      await m.service.runChunk(chunkJob);
      expect(m.dispatcher.done).not.toHaveBeenCalled();
      expect(m.metrics.observeDelay).not.toHaveBeenCalled();
    });

    it('does not observe a delay it does not know', async () => {
      const m = setup();
      m.status.chunk.mockResolvedValue(chunkRow(1));
      m.status.finishChunk.mockResolvedValue(statusRow('done', { delay_ms: null }));
      await m.service.runChunk(chunkJob);
      expect(m.dispatcher.done).toHaveBeenCalled();
      expect(m.metrics.observeDelay).not.toHaveBeenCalled();
    });
  });
});

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
