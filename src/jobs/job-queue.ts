import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { Queue } from 'bullmq';
import { JobSpec, QueueName } from './job-catalogue';

/** How long an enqueue may wait on Redis before the outbox relay is left to retry it. */
const ENQUEUE_TIMEOUT_MS = 2_000;

/** The BullMQ queues, behind one typed `add`. */
@Injectable()
export class JobQueue {
  private readonly queues: Record<QueueName, Queue>;
  private readonly logger = new Logger('JobQueue');
  private lastErrorLog = 0;

  constructor(
    @InjectQueue(QueueName.Fanout) fanout: Queue,
    @InjectQueue(QueueName.FanoutBulk) bulk: Queue,
    @InjectQueue(QueueName.Graph) graph: Queue,
    @InjectQueue(QueueName.Maintenance) maintenance: Queue,
  ) {
    this.queues = {
      [QueueName.Fanout]: fanout,
      [QueueName.FanoutBulk]: bulk,
      [QueueName.Graph]: graph,
      [QueueName.Maintenance]: maintenance,
    };
    for (const queue of Object.values(this.queues)) queue.on('error', (err) => this.logConnectionError(err));
  }

  /** While Redis is away every queue reports each reconnect attempt; one line every 5 s is enough. */
  private logConnectionError(err: Error): void {
    if (Date.now() - this.lastErrorLog < 5_000) return;
    this.lastErrorLog = Date.now();
    this.logger.warn({ msg: 'queue connection error; jobs wait in the outbox until Redis is back', error: err.message });
  }

  async add<T>(spec: JobSpec<T>, data: T): Promise<void> {
    await withTimeout(
      this.queues[spec.queue].add(spec.name, data, { jobId: spec.jobId(data) }),
      ENQUEUE_TIMEOUT_MS,
      `enqueue of ${spec.name} timed out`,
    );
  }

  /**
   * Many jobs of one kind in one round trip. As with add, a job whose id exists already is left
   * as it is, so this is for work never enqueued before (use requeue to run finished work again).
   */
  async addMany<T>(spec: JobSpec<T>, data: T[]): Promise<void> {
    if (data.length === 0) return;
    await withTimeout(
      this.queues[spec.queue].addBulk(data.map((d) => ({ name: spec.name, data: d, opts: { jobId: spec.jobId(d) } }))),
      ENQUEUE_TIMEOUT_MS,
      `enqueue of ${data.length} ${spec.name} jobs timed out`,
    );
  }

  /**
   * Where the job of this work is: `queued` while waiting, delayed (between retries) or running,
   * when enqueuing it again would change nothing; `failed` once it used up its retries;
   * `completed`; `missing` when Redis has no such job (never enqueued, lost, or removed after
   * completing).
   */
  async jobState<T>(spec: JobSpec<T>, data: T): Promise<'queued' | 'failed' | 'completed' | 'missing'> {
    const job = await this.queues[spec.queue].getJob(spec.jobId(data));
    if (!job) return 'missing';
    const state = await job.getState();
    if (state === 'completed' || state === 'failed') return state;
    return state === 'unknown' ? 'missing' : 'queued';
  }

  /**
   * Enqueues again work whose job may already have ended: a finished or failed job of the same id
   * is removed first, since adding an existing id is a no-op. A waiting or running one is left be.
   */
  async requeue<T>(spec: JobSpec<T>, data: T): Promise<void> {
    const queue = this.queues[spec.queue];
    const existing = await queue.getJob(spec.jobId(data));
    if (existing) {
      const state = await existing.getState();
      if (state === 'completed' || state === 'failed') await existing.remove();
    }
    await this.add(spec, data);
  }

  /**
   * Runs the job every `everyMs`, on one worker per period whichever worker's clock fires: a BullMQ
   * job scheduler, kept in Redis under the job's id, so every worker may call this at start-up and
   * there is still one. A changed interval replaces the old one.
   */
  async every<T>(spec: JobSpec<T>, data: T, everyMs: number): Promise<void> {
    await this.queues[spec.queue].upsertJobScheduler(spec.jobId(data), { every: everyMs }, { name: spec.name, data });
  }

  /** Jobs waiting or running per queue, for the metrics. */
  async depths(): Promise<Record<string, number>> {
    const entries = await Promise.all(
      Object.entries(this.queues).map(
        async ([name, queue]) => [name, await queue.getJobCountByTypes('waiting', 'active', 'delayed', 'prioritized')] as const,
      ),
    );
    return Object.fromEntries(entries);
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
