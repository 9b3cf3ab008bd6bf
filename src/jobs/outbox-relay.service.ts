import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { OUTBOX_JOBS } from './job-catalogue';
import { JobQueue } from './job-queue';
import { OutboxRepository } from './outbox.repository';

const RELAY_BATCH = 500;

/**
 * Re-enqueues outbox rows whose job never ran to the end: a crash between commit and enqueue,
 * Redis down at post time, a job lost with a flushed Redis. Job ids make a re-enqueue harmless.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('OutboxRelay');
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly outbox: OutboxRepository,
    private readonly queue: JobQueue,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.running ??= this.relayOnce()
        .then(() => undefined)
        .catch((err) => this.logger.warn({ msg: 'relay pass failed', error: (err as Error).message }))
        .finally(() => (this.running = undefined));
    }, this.config.outboxRelayIntervalMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One pass: re-enqueues what is stale; returns how many rows it re-enqueued. */
  async relayOnce(): Promise<number> {
    const rows = await this.outbox.stale(Object.keys(OUTBOX_JOBS), this.config.outboxRelayAfterMs, RELAY_BATCH);
    const relayed: string[] = [];
    for (const row of rows) {
      await this.queue.requeue(OUTBOX_JOBS[row.kind], row.payload as never);
      relayed.push(row.job_id);
    }
    await this.outbox.markEnqueued(relayed);
    if (relayed.length > 0) this.logger.log({ msg: 're-enqueued stale outbox rows', count: relayed.length });
    await this.outbox.prune();
    return relayed.length;
  }
}
