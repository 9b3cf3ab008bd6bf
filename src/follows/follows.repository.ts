import { Injectable } from '@nestjs/common';
import { Database, Tx } from '../database/database';

/**
 * The follow graph. Each edge added or removed records a count delta for both users in the same
 * statement, and takes no lock on either users row: thousands of users following one account at
 * once do not queue on its counter (README, "A viral account"). FollowCountsFolder adds the deltas
 * into the users columns later; readers add what is pending (src/users/user-counts.ts).
 */
@Injectable()
export class FollowsRepository {
  constructor(private readonly db: Database) {}

  /** Adds the edge; returns its sequence number, or undefined when it already existed. */
  async add(tx: Tx, followerId: string, followeeId: string): Promise<string | undefined> {
    const row = await this.db.one<{ seq: string }>(
      `WITH edge AS (
         INSERT INTO follows (follower_id, followee_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING seq
       ), counted AS (
         INSERT INTO follow_count_deltas (user_id, followers, following)
         SELECT u.id, u.followers, u.following FROM edge, (VALUES ($2::bigint, 1, 0), ($1::bigint, 0, 1)) u(id, followers, following)
       )
       SELECT seq FROM edge`,
      [followerId, followeeId],
      tx,
    );
    return row?.seq;
  }

  /** Removes the edge; returns the removed edge's sequence number, or undefined when there was none. */
  async remove(tx: Tx, followerId: string, followeeId: string): Promise<string | undefined> {
    const row = await this.db.one<{ seq: string }>(
      `WITH edge AS (
         DELETE FROM follows WHERE follower_id = $1 AND followee_id = $2 RETURNING seq
       ), counted AS (
         INSERT INTO follow_count_deltas (user_id, followers, following)
         SELECT u.id, u.followers, u.following FROM edge, (VALUES ($2::bigint, -1, 0), ($1::bigint, 0, -1)) u(id, followers, following)
       )
       SELECT seq FROM edge`,
      [followerId, followeeId],
      tx,
    );
    return row?.seq;
  }
}
