import { Injectable, Logger } from '@nestjs/common';
import { Tx } from '../database/database';
import { JobSpec } from './job-catalogue';
import { JobQueue } from './job-queue';
import { OutboxRepository } from './outbox.repository';

/** Work recorded in a transaction, to enqueue once that transaction has committed. */
export interface PendingJob {
  spec: JobSpec<never>;
  data: unknown;
}

/**
 * Records background work in the outbox inside the caller's transaction, and enqueues it after
 * the commit. An enqueue that fails (Redis down, a crash) is not lost: the relay finds the row.
 */
@Injectable()
export class JobDispatcher {
  private readonly logger = new Logger('JobDispatcher');

  constructor(
    private readonly outbox: OutboxRepository,
    private readonly queue: JobQueue,
  ) {}

  async record<T>(tx: Tx, spec: JobSpec<T>, data: T): Promise<PendingJob> {
    await this.outbox.add(tx, spec.name, spec.jobId(data), data as object);
    return { spec: spec as JobSpec<never>, data };
  }

  /** Enqueues after commit; never throws, since the outbox already holds the work. */
  async send(...jobs: PendingJob[]): Promise<void> {
    try {
      for (const job of jobs) await this.queue.add(job.spec, job.data as never);
      await this.outbox.markEnqueued(jobs.map((job) => job.spec.jobId(job.data as never)));
    } catch (err) {
      this.logger.warn({ msg: 'enqueue failed; the outbox relay will retry', error: (err as Error).message });
    }
  }

  async done<T>(spec: JobSpec<T>, data: T): Promise<void> {
    await this.outbox.markDone(spec.jobId(data));
  }
}
