import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { OutboxMetrics } from '../metrics/outbox.metrics';
import { OUTBOX_JOBS } from './job-catalogue';
import { JobQueue } from './job-queue';
import { OutboxRepository, OutboxRow, RelayOutcome } from './outbox.repository';

const RELAY_BATCH = 500;

/**
 * Re-enqueues outbox rows whose job never ran to the end: a crash between commit and enqueue,
 * Redis down at post time, a job lost with a flushed Redis, a job that failed all its attempts.
 * Job ids make a re-enqueue harmless. Each re-enqueue of a job that failed all its retries counts
 * as an attempt of the row; after OUTBOX_MAX_ATTEMPTS the row is dead-lettered (`dead_at`), so work
 * that always fails stops going round, and shows in feed_outbox_dead_letters for an operator. A job
 * that completed is not a failure: a big fan-out's post job completes once it has cut the work into
 * chunks, and its row is done only when the last chunk is; nor is a lost one.
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
    private readonly metrics: OutboxMetrics,
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

  /** One pass: re-enqueues what is stale; returns how many rows it enqueued anew. */
  async relayOnce(): Promise<number> {
    let failure: unknown;
    const outcome = await this.outbox.claimStale(
      Object.keys(OUTBOX_JOBS),
      this.config.outboxRelayAfterMs,
      RELAY_BATCH,
      async (rows) => {
        const decided: RelayOutcome = { requeued: [], resent: [], queued: [], dead: [] };
        try {
          for (const row of rows) decided[await this.relayRow(row)].push(row.job_id);
        } catch (err) {
          // Redis away: keep what was done (it is written with the claim), leave the rest for later.
          failure = err;
        }
        return decided;
      },
    );
    this.report(outcome);
    if (failure) throw failure;
    return outcome.requeued.length + outcome.resent.length;
  }

  private async relayRow(row: OutboxRow): Promise<keyof RelayOutcome> {
    const spec = OUTBOX_JOBS[row.kind];
    const payload = row.payload as never;
    const state = await this.queue.jobState(spec, payload);
    if (state === 'queued') return 'queued';
    if (state === 'failed' && row.attempts >= this.config.outboxMaxAttempts) return 'dead';
    await this.queue.requeue(spec, payload);
    return state === 'failed' ? 'requeued' : 'resent';
  }

  private report(outcome: RelayOutcome): void {
    const relayed = outcome.requeued.length + outcome.resent.length;
    if (relayed > 0) {
      this.metrics.relayed.inc(relayed);
      this.logger.log({ msg: 're-enqueued stale outbox rows', count: relayed, afterFailure: outcome.requeued.length });
    }
    if (outcome.dead.length > 0) {
      this.metrics.deadLettered.inc(outcome.dead.length);
      this.logger.error({
        msg: 'outbox rows dead-lettered: their work failed every attempt',
        attempts: this.config.outboxMaxAttempts,
        jobs: outcome.dead,
      });
    }
  }
}
