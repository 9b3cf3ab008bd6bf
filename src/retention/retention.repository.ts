import { Injectable } from '@nestjs/common';
import { Database } from '../database/database';
import { IDEMPOTENCY_WINDOW } from '../post-store/posts.repository';

/**
 * The deletes of the retention job. Each call removes one bounded batch (a short transaction and
 * lock) and returns how many rows went; the caller repeats while batches come back full.
 */
@Injectable()
export class RetentionRepository {
  constructor(private readonly db: Database) {}

  /** Outbox rows whose work was done before `cutoff`. */
  pruneDoneOutbox(cutoff: Date, limit: number): Promise<number> {
    return this.db.execute(
      `DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE done_at < $1 ORDER BY done_at LIMIT $2)`,
      [cutoff, limit],
    );
  }

  /** Dead-lettered outbox rows, kept RETENTION_DAYS for an operator to look at. */
  pruneDeadOutbox(cutoff: Date, limit: number): Promise<number> {
    return this.db.execute(
      `DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE dead_at < $1 ORDER BY dead_at LIMIT $2)`,
      [cutoff, limit],
    );
  }

  /**
   * Fan-out records (and their chunk checkpoints) of fan-outs finished before `cutoff`. Records of
   * `skipped` fan-outs stay: they are how a big account's posts are found to be merged at read.
   */
  pruneFinishedFanouts(cutoff: Date, limit: number): Promise<number> {
    return this.db.execute(
      `WITH gone AS (SELECT post_id FROM post_fanouts WHERE state = 'done' AND finished_at < $1 ORDER BY finished_at LIMIT $2),
            chunks AS (DELETE FROM fanout_chunks WHERE post_id IN (SELECT post_id FROM gone))
       DELETE FROM post_fanouts WHERE post_id IN (SELECT post_id FROM gone)`,
      [cutoff, limit],
    );
  }

  /**
   * Posts deleted before `cutoff`, for good (their fan-out rows and deleted reposts go with them).
   * A post that a live reply or repost still names stays, since a reply's `replyTo` keeps naming
   * it (API.md, rule 3): clearDeletedText() empties it instead.
   */
  purgeDeletedPosts(cutoff: Date, limit: number): Promise<number> {
    return this.db.execute(
      `DELETE FROM posts WHERE id IN (
         SELECT p.id FROM posts p
         WHERE p.deleted_at < $1
           AND NOT EXISTS (SELECT 1 FROM posts r WHERE r.reply_to_id = p.id AND r.deleted_at IS NULL)
           AND NOT EXISTS (SELECT 1 FROM posts r WHERE r.repost_of_id = p.id AND r.deleted_at IS NULL)
         ORDER BY p.deleted_at LIMIT $2)`,
      [cutoff, limit],
    );
  }

  /** The text of posts deleted before `cutoff` that purgeDeletedPosts() has to keep. */
  clearDeletedText(cutoff: Date, limit: number): Promise<number> {
    return this.db.execute(
      `UPDATE posts SET text = '' WHERE id IN (
         SELECT id FROM posts WHERE deleted_at < $1 AND text <> '' ORDER BY deleted_at LIMIT $2)`,
      [cutoff, limit],
    );
  }

  /** Idempotency keys past their window (they no longer replay anything). */
  pruneIdempotencyKeys(limit: number): Promise<number> {
    return this.db.execute(
      `DELETE FROM idempotency_keys WHERE ctid IN (
         SELECT ctid FROM idempotency_keys WHERE created_at < now() - interval '${IDEMPOTENCY_WINDOW}' LIMIT $1)`,
      [limit],
    );
  }
}
