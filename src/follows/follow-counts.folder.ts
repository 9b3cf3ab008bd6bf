import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { FollowCountsRepository } from './follow-counts.repository';

/** How often the deltas are folded. Readers add what is pending, so this bounds only the table's size. */
export const FOLD_INTERVAL_MS = 1_000;
/** Deltas folded per transaction: short transactions, so a fold never holds users rows for long. */
export const FOLD_BATCH = 5_000;
/** Folds per pass at most; a backlog bigger than this waits for the next pass. */
const MAX_BATCHES_PER_PASS = 20;

/**
 * Adds the follow count deltas into the users counters in the background (the write half of the
 * viral-account fix; README, "A viral account"). Runs in every worker process; one folds at a
 * time (FollowCountsRepository.fold), and a fold that fails is retried by the next pass, since
 * the deltas stay until folded.
 */
@Injectable()
export class FollowCountsFolder implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('FollowCounts');
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(private readonly counts: FollowCountsRepository) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.running ??= this.foldAll()
        .then(() => undefined)
        .catch((err) => this.logger.warn({ msg: 'fold failed; the next pass retries', error: (err as Error).message }))
        .finally(() => (this.running = undefined));
    }, FOLD_INTERVAL_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** Folds batches until the backlog is gone (or another process holds the fold); returns how many deltas. */
  async foldAll(): Promise<number> {
    let total = 0;
    for (let i = 0; i < MAX_BATCHES_PER_PASS; i++) {
      const folded = await this.counts.fold(FOLD_BATCH);
      if (folded === null) break;
      total += folded;
      if (folded < FOLD_BATCH) break;
    }
    return total;
  }
}
