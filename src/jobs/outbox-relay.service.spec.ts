import { Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { FanoutPost, MergeFollowee, RetractPost, UnmergeFollowee } from './job-catalogue';
import { JobQueue } from './job-queue';
import { OutboxRelay } from './outbox-relay.service';
import { OutboxRepository, OutboxRow } from './outbox.repository';

const config = { outboxRelayAfterMs: 30_000, outboxRelayIntervalMs: 5_000 } as AppConfig;

function setup(rows: OutboxRow[]) {
  const outbox = {
    stale: jest.fn().mockResolvedValue(rows),
    markEnqueued: jest.fn().mockResolvedValue(undefined),
    prune: jest.fn().mockResolvedValue(0),
  };
  const queue = { requeue: jest.fn().mockResolvedValue(undefined) };
  const relay = new OutboxRelay(outbox as unknown as OutboxRepository, queue as unknown as JobQueue, config);
  return { relay, outbox, queue };
}

beforeAll(() => Logger.overrideLogger(false));

describe('OutboxRelay', () => {
  it('requeues each stale row by its kind, marks them enqueued and prunes', async () => {
    const rows: OutboxRow[] = [
      { id: '1', kind: 'fanout-post', job_id: 'post-500', payload: { postId: '500', authorId: '7' } },
      { id: '2', kind: 'retract-post', job_id: 'delete-400', payload: { postId: '400', authorId: '7' } },
      { id: '3', kind: 'merge-followee', job_id: 'follow-9', payload: { followerId: '1', followeeId: '2', seq: '9' } },
      { id: '4', kind: 'unmerge-followee', job_id: 'unfollow-10', payload: { followerId: '1', followeeId: '2', seq: '10' } },
    ];
    const { relay, outbox, queue } = setup(rows);
    await expect(relay.relayOnce()).resolves.toBe(4);

    expect(outbox.stale).toHaveBeenCalledWith(
      ['fanout-post', 'retract-post', 'merge-followee', 'remerge-followee', 'unmerge-followee', 'unmerge-muted'],
      30_000,
      expect.any(Number),
    );
    expect(queue.requeue.mock.calls).toEqual([
      [FanoutPost, rows[0].payload],
      [RetractPost, rows[1].payload],
      [MergeFollowee, rows[2].payload],
      [UnmergeFollowee, rows[3].payload],
    ]);
    expect(outbox.markEnqueued).toHaveBeenCalledWith(['post-500', 'delete-400', 'follow-9', 'unfollow-10']);
    expect(outbox.prune).toHaveBeenCalledTimes(1);
    const order = (fn: jest.Mock) => fn.mock.invocationCallOrder[0];
    expect(order(queue.requeue)).toBeLessThan(order(outbox.markEnqueued));
  });

  it('uses job ids that match what the outbox recorded', async () => {
    const payload = { postId: '500', authorId: '7' };
    expect(FanoutPost.jobId(payload)).toBe('post-500');
    expect(RetractPost.jobId(payload)).toBe('delete-500');
  });

  it('asks only for the kinds it knows how to enqueue, so rows of a newer version never block it', async () => {
    const { relay, outbox } = setup([]);
    await expect(relay.relayOnce()).resolves.toBe(0);
    const [kinds] = outbox.stale.mock.calls[0];
    expect(kinds).not.toContain('fanout-chunk');
    expect(kinds).toHaveLength(6);
  });


  it('still prunes when nothing is stale', async () => {
    const { relay, outbox, queue } = setup([]);
    await expect(relay.relayOnce()).resolves.toBe(0);
    expect(queue.requeue).not.toHaveBeenCalled();
    expect(outbox.markEnqueued).toHaveBeenCalledWith([]);
    expect(outbox.prune).toHaveBeenCalledTimes(1);
  });

  it('marks nothing enqueued when an enqueue fails, so the next pass retries', async () => {
    const rows: OutboxRow[] = [{ id: '1', kind: 'fanout-post', job_id: 'post-500', payload: { postId: '500', authorId: '7' } }];
    const { relay, outbox, queue } = setup(rows);
    queue.requeue.mockRejectedValue(new Error('Connection is closed.'));
    await expect(relay.relayOnce()).rejects.toThrow('Connection is closed.');
    expect(outbox.markEnqueued).not.toHaveBeenCalled();
  });

  it('runs on the configured interval and waits for a running pass on shutdown', async () => {
    jest.useFakeTimers();
    try {
      const { relay, outbox } = setup([]);
      relay.onApplicationBootstrap();
      expect(outbox.stale).not.toHaveBeenCalled();
      await jest.advanceTimersByTimeAsync(5_000);
      expect(outbox.stale).toHaveBeenCalledTimes(1);
      await relay.onApplicationShutdown();
      await jest.advanceTimersByTimeAsync(20_000);
      expect(outbox.stale).toHaveBeenCalledTimes(1);
    } finally {
      jest.useRealTimers();
    }
  });
});
