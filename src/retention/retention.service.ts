import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { RetentionRepository } from './retention.repository';

/** Rows one delete removes: a short transaction, a short lock. */
export const RETENTION_BATCH = 5_000;
/** Batches of one kind per run: a backlog is worked off over several runs, never in one long one. */
export const RETENTION_MAX_BATCHES = 100;

export type RetentionReport = Record<RetentionStep, number>;
type RetentionStep = 'outboxDone' | 'outboxDead' | 'fanouts' | 'deletedPosts' | 'clearedTexts' | 'idempotencyKeys';

/**
 * Keeps PostgreSQL from growing with finished bookkeeping: done outbox rows, dead letters, done
 * fan-out records and soft-deleted posts older than RETENTION_DAYS, and expired idempotency keys.
 * Run by the `retention` job (RetentionProcessor), which a BullMQ scheduler hands to one worker
 * per RETENTION_INTERVAL_MS. Every step is idempotent: a run cut short is finished by the next.
 */
@Injectable()
export class RetentionService {
  private readonly logger = new Logger('Retention');

  constructor(
    private readonly retention: RetentionRepository,
    private readonly config: AppConfig,
  ) {}

  /** One run; `now` is the clock (tests move it instead of waiting). */
  async run(now = new Date()): Promise<RetentionReport> {
    const cutoff = new Date(now.getTime() - this.config.retentionDays * 86_400_000);
    const report: RetentionReport = {
      outboxDone: await this.drain((n) => this.retention.pruneDoneOutbox(cutoff, n)),
      outboxDead: await this.drain((n) => this.retention.pruneDeadOutbox(cutoff, n)),
      fanouts: await this.drain((n) => this.retention.pruneFinishedFanouts(cutoff, n)),
      deletedPosts: await this.drain((n) => this.retention.purgeDeletedPosts(cutoff, n)),
      clearedTexts: await this.drain((n) => this.retention.clearDeletedText(cutoff, n)),
      idempotencyKeys: await this.drain((n) => this.retention.pruneIdempotencyKeys(n)),
    };
    if (Object.values(report).some((count) => count > 0)) {
      this.logger.log({ msg: 'retention run', retentionDays: this.config.retentionDays, ...report });
    }
    return report;
  }

  /** Repeats one batch while batches come back full, up to RETENTION_MAX_BATCHES. */
  private async drain(batch: (limit: number) => Promise<number>): Promise<number> {
    let total = 0;
    for (let i = 0; i < RETENTION_MAX_BATCHES; i++) {
      const removed = await batch(RETENTION_BATCH);
      total += removed;
      if (removed < RETENTION_BATCH) break;
    }
    return total;
  }
}
