import { Injectable } from '@nestjs/common';
import { Database, Tx } from '../database/database';

export interface OutboxRow {
  id: string;
  kind: string;
  job_id: string;
  payload: Record<string, string>;
}

/** The transactional outbox: background work recorded in the same transaction as its cause. */
@Injectable()
export class OutboxRepository {
  constructor(private readonly db: Database) {}

  async add(tx: Tx, kind: string, jobId: string, payload: object): Promise<void> {
    await this.db.execute(
      'INSERT INTO outbox (kind, job_id, payload) VALUES ($1, $2, $3) ON CONFLICT (job_id) DO NOTHING',
      [kind, jobId, JSON.stringify(payload)],
      tx,
    );
  }

  async markEnqueued(jobIds: string[]): Promise<void> {
    if (jobIds.length === 0) return;
    await this.db.execute('UPDATE outbox SET enqueued_at = clock_timestamp() WHERE job_id = ANY($1)', [jobIds]);
  }

  async markDone(jobId: string): Promise<void> {
    await this.db.execute(
      'UPDATE outbox SET done_at = clock_timestamp() WHERE job_id = $1 AND done_at IS NULL',
      [jobId],
    );
  }

  /**
   * Rows of these kinds still not done a while after they were written or last enqueued. Kinds
   * this process does not know (written by a newer version) are left for a process that does.
   */
  stale(kinds: string[], olderThanMs: number, limit: number): Promise<OutboxRow[]> {
    return this.db.rows<OutboxRow>(
      `SELECT id, kind, job_id, payload FROM outbox
       WHERE done_at IS NULL AND kind = ANY($1)
         AND coalesce(enqueued_at, created_at) < clock_timestamp() - make_interval(secs => $2)
       ORDER BY id LIMIT $3`,
      [kinds, olderThanMs / 1000, limit],
    );
  }

  /** Drops finished rows and expired idempotency keys, in bounded batches. */
  async prune(): Promise<number> {
    const done = await this.db.execute(
      `DELETE FROM outbox WHERE id IN (
         SELECT id FROM outbox WHERE done_at < now() - interval '1 day' ORDER BY id LIMIT 5000)`,
    );
    const keys = await this.db.execute(
      `DELETE FROM idempotency_keys WHERE ctid IN (
         SELECT ctid FROM idempotency_keys WHERE created_at < now() - interval '1 day' LIMIT 5000)`,
    );
    return done + keys;
  }
}
