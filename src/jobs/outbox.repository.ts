import { Injectable } from '@nestjs/common';
import { Database, Tx } from '../database/database';

export interface OutboxRow {
  id: string;
  kind: string;
  job_id: string;
  payload: Record<string, string>;
  /** Times this row's job failed all its retries and the relay enqueued it again. */
  attempts: number;
}

/** What one relay pass did with the rows it claimed, by job id. */
export interface RelayOutcome {
  /** Enqueued anew after its job failed all its retries: counts as an attempt. */
  requeued: string[];
  /**
   * Enqueued anew without counting: the job was lost, or it completed while the work goes on
   * elsewhere (a big fan-out's chunks) or its end was not recorded.
   */
  resent: string[];
  /** Still waiting or running in its queue: only its clock is reset. */
  queued: string[];
  /** Out of attempts: moved to the dead-letter state. */
  dead: string[];
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
   * Rows of these kinds still not done (nor dead) a while after they were written or last
   * enqueued, locked for the length of `work`. `FOR UPDATE SKIP LOCKED`: a relay on another worker
   * skips the rows this one holds and takes the next ones, so relays share the work instead of
   * enqueuing the same rows twice. What `work` decides is written in the same transaction. Kinds
   * this process does not know (written by a newer version) are left for a process that does.
   */
  async claimStale(
    kinds: string[],
    olderThanMs: number,
    limit: number,
    work: (rows: OutboxRow[]) => Promise<RelayOutcome>,
  ): Promise<RelayOutcome> {
    return this.db.transaction(async (tx) => {
      const rows = await this.db.rows<OutboxRow>(
        `SELECT id, kind, job_id, payload, attempts FROM outbox
         WHERE done_at IS NULL AND dead_at IS NULL AND kind = ANY($1)
           AND coalesce(enqueued_at, created_at) < clock_timestamp() - make_interval(secs => $2)
         ORDER BY id LIMIT $3
         FOR UPDATE SKIP LOCKED`,
        [kinds, olderThanMs / 1000, limit],
        tx,
      );
      if (rows.length === 0) return { requeued: [], resent: [], queued: [], dead: [] };
      const outcome = await work(rows);
      await this.db.execute(
        `UPDATE outbox SET enqueued_at = clock_timestamp(), attempts = attempts + (job_id = ANY($2))::int
         WHERE job_id = ANY($1)`,
        [[...outcome.requeued, ...outcome.resent, ...outcome.queued], outcome.requeued],
        tx,
      );
      await this.db.execute(`UPDATE outbox SET dead_at = clock_timestamp() WHERE job_id = ANY($1)`, [outcome.dead], tx);
      return outcome;
    });
  }

  /** Rows in the dead-letter state, for the metrics. */
  async countDead(): Promise<number> {
    const row = await this.db.one<{ n: string }>('SELECT count(*) AS n FROM outbox WHERE dead_at IS NOT NULL');
    return Number(row?.n ?? 0);
  }
}
