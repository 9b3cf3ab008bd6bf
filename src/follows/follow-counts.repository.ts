import { Injectable } from '@nestjs/common';
import { Database } from '../database/database';

/** Any fixed key: the folder of every process takes this lock, so one folds at a time. */
const FOLD_LOCK_KEY = 0x666f6c64; // "fold"

/** The count deltas that follows record, and their folding into the users counters. */
@Injectable()
export class FollowCountsRepository {
  constructor(private readonly db: Database) {}

  /**
   * Folds up to `limit` of the oldest deltas into the users counters, in one transaction: the
   * deltas leave the table and enter the columns together, so a reader (which adds the pending
   * deltas to the columns) sees exact counts before, during and after. Returns how many deltas
   * it folded, or null when another process holds the fold (then this one does nothing).
   *
   * One folder at a time: two would update the same users rows in different orders and could
   * deadlock. The fold takes no lock that a follow waits for (a follow takes none on users).
   */
  async fold(limit: number): Promise<number | null> {
    return this.db.transaction(async (tx) => {
      const lock = await this.db.one<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS ok', [FOLD_LOCK_KEY], tx);
      if (!lock?.ok) return null;
      const row = await this.db.one<{ folded: number }>(
        `WITH batch AS (
           DELETE FROM follow_count_deltas
           WHERE id IN (SELECT id FROM follow_count_deltas ORDER BY id LIMIT $1)
           RETURNING user_id, followers, following
         ), sums AS (
           SELECT user_id, sum(followers)::int AS followers, sum(following)::int AS following
           FROM batch GROUP BY user_id
         ), applied AS (
           UPDATE users u SET followers_count = u.followers_count + s.followers,
                              following_count = u.following_count + s.following
           FROM sums s WHERE u.id = s.user_id AND (s.followers <> 0 OR s.following <> 0)
         )
         SELECT count(*)::int AS folded FROM batch`,
        [limit],
        tx,
      );
      return row?.folded ?? 0;
    });
  }
}
