import { Injectable } from '@nestjs/common';
import { Database, Tx } from '../database/database';

export type FanoutState = 'pending' | 'running' | 'done' | 'skipped';

export interface FanoutStatusRow {
  post_id: string;
  state: FanoutState;
  followers: number;
  delivered: number;
  chunks_total: number;
  chunks_done: number;
  started_at: Date | null;
  finished_at: Date | null;
  delay_ms: number | null;
}

export interface ChunkRow {
  chunk_no: number;
  after_id: string;
  upto_id: string | null;
  cursor_id: string;
  delivered: number;
  done: boolean;
}

/** A post's fan-out progress: the status clients read and the checkpoints retried jobs resume from. */
@Injectable()
export class FanoutStatusRepository {
  constructor(private readonly db: Database) {}

  async createPending(tx: Tx, postId: string): Promise<void> {
    await this.db.execute('INSERT INTO post_fanouts (post_id) VALUES ($1) ON CONFLICT DO NOTHING', [postId], tx);
  }

  /** The status; while running, `delivered` is summed from the chunks' checkpoints. */
  find(postId: string): Promise<FanoutStatusRow | undefined> {
    return this.db.one<FanoutStatusRow>(
      `SELECT f.post_id, f.state, f.followers, f.chunks_total, f.chunks_done, f.started_at, f.finished_at, f.delay_ms,
         CASE WHEN f.state = 'running'
           THEN (SELECT coalesce(sum(delivered), 0)::int FROM fanout_chunks c WHERE c.post_id = f.post_id)
           ELSE f.delivered END AS delivered
       FROM post_fanouts f WHERE f.post_id = $1`,
      [postId],
    );
  }

  /** Records the plan of a fan-out once; a retried job finds the plan it made before. */
  async start(postId: string, followers: number, chunks: { afterId: string; uptoId: string | null }[]): Promise<void> {
    await this.db.transaction(async (tx) => {
      const claimed = await this.db.execute(
        `UPDATE post_fanouts SET state = 'running', followers = $2, chunks_total = $3, started_at = clock_timestamp()
         WHERE post_id = $1 AND state = 'pending'`,
        [postId, followers, chunks.length],
        tx,
      );
      if (claimed === 0) return;
      await this.db.execute(
        `INSERT INTO fanout_chunks (post_id, chunk_no, after_id, upto_id, cursor_id)
         SELECT $1, n - 1, a, u, a FROM unnest($2::bigint[], $3::bigint[]) WITH ORDINALITY AS c(a, u, n)
         ON CONFLICT DO NOTHING`,
        [postId, chunks.map((c) => c.afterId), chunks.map((c) => c.uptoId)],
        tx,
      );
    });
  }

  chunks(postId: string): Promise<ChunkRow[]> {
    return this.db.rows<ChunkRow>(
      'SELECT chunk_no, after_id, upto_id, cursor_id, delivered, done FROM fanout_chunks WHERE post_id = $1 ORDER BY chunk_no',
      [postId],
    );
  }

  chunk(postId: string, chunkNo: number): Promise<ChunkRow | undefined> {
    return this.db.one<ChunkRow>(
      'SELECT chunk_no, after_id, upto_id, cursor_id, delivered, done FROM fanout_chunks WHERE post_id = $1 AND chunk_no = $2',
      [postId, chunkNo],
    );
  }

  /** Saves a chunk's checkpoint: the last follower written and how many so far. It only moves forward. */
  async checkpoint(postId: string, chunkNo: number, cursorId: string, delivered: number): Promise<void> {
    await this.db.execute(
      `UPDATE fanout_chunks SET cursor_id = $3, delivered = $4
       WHERE post_id = $1 AND chunk_no = $2 AND NOT done AND cursor_id < $3`,
      [postId, chunkNo, cursorId, delivered],
    );
  }

  /**
   * Marks a chunk done, once. Returns the status row when this was the last chunk, so exactly one
   * caller finishes the fan-out even when chunks end together or a job runs twice.
   */
  async finishChunk(postId: string, chunkNo: number): Promise<FanoutStatusRow | undefined> {
    return this.db.transaction(async (tx) => {
      const marked = await this.db.execute(
        'UPDATE fanout_chunks SET done = true WHERE post_id = $1 AND chunk_no = $2 AND NOT done',
        [postId, chunkNo],
        tx,
      );
      if (marked === 0) return undefined;
      return this.db.one<FanoutStatusRow>(
        `UPDATE post_fanouts f SET chunks_done = chunks_done + 1,
           delivered = (SELECT coalesce(sum(delivered), 0) FROM fanout_chunks c WHERE c.post_id = f.post_id),
           state = CASE WHEN chunks_done + 1 >= chunks_total THEN 'done' ELSE state END,
           finished_at = CASE WHEN chunks_done + 1 >= chunks_total THEN clock_timestamp() END,
           delay_ms = CASE WHEN chunks_done + 1 >= chunks_total
             THEN (extract(epoch FROM clock_timestamp() - p.created_at) * 1000)::int END
         FROM posts p
         WHERE f.post_id = $1 AND p.id = f.post_id AND f.state = 'running'
         RETURNING f.*`,
        [postId],
        tx,
      );
    });
  }

  /** A post whose author is too big to fan out: merged at read time instead. */
  async skip(postId: string, followers: number): Promise<boolean> {
    return (
      (await this.db.execute(
        `UPDATE post_fanouts f SET state = 'skipped', followers = $2, started_at = clock_timestamp(),
           finished_at = clock_timestamp(), delay_ms = (extract(epoch FROM clock_timestamp() - p.created_at) * 1000)::int
         FROM posts p WHERE f.post_id = $1 AND p.id = f.post_id AND f.state = 'pending'`,
        [postId, followers],
      )) > 0
    );
  }
}
