import { Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { OutboxMetrics } from '../metrics/outbox.metrics';
import { FanoutPost, MergeFollowee, RetractPost, UnmergeFollowee } from './job-catalogue';
import { JobQueue } from './job-queue';
import { OutboxRelay } from './outbox-relay.service';
import { OutboxRepository, OutboxRow, RelayOutcome } from './outbox.repository';

const config = { outboxRelayAfterMs: 30_000, outboxRelayIntervalMs: 5_000, outboxMaxAttempts: 3 } as AppConfig;

const row = (id: string, kind: string, jobId: string, payload: Record<string, string>, attempts = 0): OutboxRow => ({
  id,
  kind,
  job_id: jobId,
  payload,
  attempts,
});

function setup(rows: OutboxRow[]) {
  const written: RelayOutcome[] = [];
  const outbox = {
    // The real one locks the rows, runs the work and writes its outcome in one transaction.
    claimStale: jest.fn(async (_kinds: string[], _after: number, _limit: number, work: (r: OutboxRow[]) => Promise<RelayOutcome>) => {
      const outcome = await work(rows);
      written.push(outcome);
      return outcome;
    }),
  };
  const queue = { jobState: jest.fn().mockResolvedValue('failed'), requeue: jest.fn().mockResolvedValue(undefined) };
  const metrics = { relayed: { inc: jest.fn() }, deadLettered: { inc: jest.fn() } };
  const relay = new OutboxRelay(
    outbox as unknown as OutboxRepository,
    queue as unknown as JobQueue,
    config,
    metrics as unknown as OutboxMetrics,
  );
  return { relay, outbox, queue, metrics, written };
}

beforeAll(() => Logger.overrideLogger(false));

describe('OutboxRelay', () => {
  it('requeues each stale row whose job failed by its kind, records them as attempts', async () => {
    const rows = [
      row('1', 'fanout-post', 'post-500', { postId: '500', authorId: '7' }),
      row('2', 'retract-post', 'delete-400', { postId: '400', authorId: '7' }),
      row('3', 'merge-followee', 'follow-9', { followerId: '1', followeeId: '2', seq: '9' }),
      row('4', 'unmerge-followee', 'unfollow-10', { followerId: '1', followeeId: '2', seq: '10' }),
    ];
    const { relay, outbox, queue, metrics, written } = setup(rows);
    await expect(relay.relayOnce()).resolves.toBe(4);

    expect(outbox.claimStale).toHaveBeenCalledWith(
      ['fanout-post', 'retract-post', 'merge-followee', 'remerge-followee', 'unmerge-followee', 'unmerge-muted'],
      30_000,
      expect.any(Number),
      expect.any(Function),
    );
    expect(queue.requeue.mock.calls).toEqual([
      [FanoutPost, rows[0].payload],
      [RetractPost, rows[1].payload],
      [MergeFollowee, rows[2].payload],
      [UnmergeFollowee, rows[3].payload],
    ]);
    expect(written).toEqual([{ requeued: ['post-500', 'delete-400', 'follow-9', 'unfollow-10'], resent: [], queued: [], dead: [] }]);
    expect(metrics.relayed.inc).toHaveBeenCalledWith(4);
  });

  it('uses job ids that match what the outbox recorded', async () => {
    const payload = { postId: '500', authorId: '7' };
    expect(FanoutPost.jobId(payload)).toBe('post-500');
    expect(RetractPost.jobId(payload)).toBe('delete-500');
  });

  it('asks only for the kinds it knows how to enqueue, so rows of a newer version never block it', async () => {
    const { relay, outbox } = setup([]);
    await expect(relay.relayOnce()).resolves.toBe(0);
    const [kinds] = outbox.claimStale.mock.calls[0];
    expect(kinds).not.toContain('fanout-chunk');
    expect(kinds).toHaveLength(6);
  });

  it('leaves a job still waiting or retrying in its queue alone, without counting an attempt', async () => {
    const { relay, queue, written, metrics } = setup([row('1', 'fanout-post', 'post-500', { postId: '500', authorId: '7' }, 2)]);
    queue.jobState.mockResolvedValue('queued');
    await expect(relay.relayOnce()).resolves.toBe(0);
    expect(queue.requeue).not.toHaveBeenCalled();
    expect(written).toEqual([{ requeued: [], resent: [], queued: ['post-500'], dead: [] }]);
    expect(metrics.relayed.inc).not.toHaveBeenCalled();
  });

  it('dead-letters a row out of attempts instead of enqueuing it again', async () => {
    const rows = [
      row('1', 'fanout-post', 'post-500', { postId: '500', authorId: '7' }, 3),
      row('2', 'fanout-post', 'post-501', { postId: '501', authorId: '7' }, 2),
    ];
    const { relay, queue, written, metrics } = setup(rows);
    await expect(relay.relayOnce()).resolves.toBe(1);
    expect(queue.requeue.mock.calls).toEqual([[FanoutPost, rows[1].payload]]);
    expect(written).toEqual([{ requeued: ['post-501'], resent: [], queued: [], dead: ['post-500'] }]);
    expect(metrics.deadLettered.inc).toHaveBeenCalledWith(1);
  });

  it('enqueues again, without counting an attempt, a job that completed or was lost: a big fan-out goes on in its chunks', async () => {
    const rows = [
      row('1', 'fanout-post', 'post-500', { postId: '500', authorId: '7' }, 3),
      row('2', 'fanout-post', 'post-501', { postId: '501', authorId: '7' }, 3),
    ];
    const { relay, queue, written, metrics } = setup(rows);
    queue.jobState.mockResolvedValueOnce('completed').mockResolvedValueOnce('missing');
    await expect(relay.relayOnce()).resolves.toBe(2);
    expect(queue.requeue).toHaveBeenCalledTimes(2);
    expect(written).toEqual([{ requeued: [], resent: ['post-500', 'post-501'], queued: [], dead: [] }]);
    expect(metrics.deadLettered.inc).not.toHaveBeenCalled();
  });

  it('keeps what it enqueued before an enqueue fails, and leaves the rest for the next pass', async () => {
    const rows = [
      row('1', 'fanout-post', 'post-500', { postId: '500', authorId: '7' }),
      row('2', 'fanout-post', 'post-501', { postId: '501', authorId: '7' }),
    ];
    const { relay, queue, written } = setup(rows);
    queue.requeue.mockResolvedValueOnce(undefined).mockRejectedValueOnce(new Error('Connection is closed.'));
    await expect(relay.relayOnce()).rejects.toThrow('Connection is closed.');
    expect(written).toEqual([{ requeued: ['post-500'], resent: [], queued: [], dead: [] }]);
  });

  it('runs on the configured interval and waits for a running pass on shutdown', async () => {
    jest.useFakeTimers();
    try {
      const { relay, outbox } = setup([]);
      relay.onApplicationBootstrap();
      expect(outbox.claimStale).not.toHaveBeenCalled();
      await jest.advanceTimersByTimeAsync(5_000);
      expect(outbox.claimStale).toHaveBeenCalledTimes(1);
      await relay.onApplicationShutdown();
      await jest.advanceTimersByTimeAsync(20_000);
      expect(outbox.claimStale).toHaveBeenCalledTimes(1);
    } finally {
      jest.useRealTimers();
    }
  });
});
