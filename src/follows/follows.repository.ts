import { Injectable } from '@nestjs/common';
import { Database, Tx } from '../database/database';

/** The follow graph, with each user's counts kept in the same transaction as the edge. */
@Injectable()
export class FollowsRepository {
  constructor(private readonly db: Database) {}

  /** Adds the edge; returns its sequence number, or undefined when it already existed. */
  async add(tx: Tx, followerId: string, followeeId: string): Promise<string | undefined> {
    const row = await this.db.one<{ seq: string }>(
      `INSERT INTO follows (follower_id, followee_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING seq`,
      [followerId, followeeId],
      tx,
    );
    if (row) await this.adjustCounts(tx, followerId, followeeId, 1);
    return row?.seq;
  }

  /** Removes the edge; returns the removed edge's sequence number, or undefined when there was none. */
  async remove(tx: Tx, followerId: string, followeeId: string): Promise<string | undefined> {
    const row = await this.db.one<{ seq: string }>(
      'DELETE FROM follows WHERE follower_id = $1 AND followee_id = $2 RETURNING seq',
      [followerId, followeeId],
      tx,
    );
    if (row) await this.adjustCounts(tx, followerId, followeeId, -1);
    return row?.seq;
  }

  private async adjustCounts(tx: Tx, followerId: string, followeeId: string, delta: number): Promise<void> {
    // Both rows in one statement, in id order, so two opposite follows cannot deadlock.
    await this.db.execute(
      `UPDATE users SET
         following_count = following_count + CASE WHEN id = $1 THEN $3::int ELSE 0 END,
         followers_count = followers_count + CASE WHEN id = $2 THEN $3::int ELSE 0 END
       WHERE id IN (SELECT id FROM users WHERE id IN ($1, $2) ORDER BY id FOR UPDATE)`,
      [followerId, followeeId, delta],
      tx,
    );
  }
}
