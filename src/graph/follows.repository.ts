import { Injectable } from '@nestjs/common';
import { Database, Tx } from '../database/database';
import { UserRow } from '../users/user.presenter';
import { USER_COLUMNS } from '../users/users.repository';

export interface FollowerSlice {
  afterId: string;
  uptoId: string | null;
}

export interface FollowerPage {
  /** The active followers of the page. */
  ids: string[];
  /** The last follower id scanned, the next page's cursor; null when none was left. */
  lastId: string | null;
  scanned: number;
}

/** A user row in a list of the graph, with the edge's sequence number for keyset paging. */
export interface EdgeListRow extends UserRow {
  seq: string;
}

/** A follow edge that a write removed. */
export interface RemovedFollow {
  followerId: string;
  followeeId: string;
  seq: string;
}

/**
 * The follow edges, with each user's counts kept in the same transaction as the edge, and every
 * way the rest of the service reads them: fan-out pages by follower id (keyset, never OFFSET),
 * newest-first lists, the big accounts a reader follows.
 */
@Injectable()
export class FollowsRepository {
  constructor(private readonly db: Database) {}

  /**
   * Adds the edge, or sets its reposts flag when it exists and a flag is given. Returns the new
   * edge's sequence number (undefined when it already existed) and the flag now stored.
   */
  async add(tx: Tx, followerId: string, followeeId: string, reposts: boolean | undefined): Promise<{ seq?: string; reposts: boolean }> {
    const row = await this.db.one<{ seq: string; reposts: boolean; created: boolean }>(
      `INSERT INTO follows AS f (follower_id, followee_id, reposts) VALUES ($1, $2, coalesce($3::boolean, true))
       ON CONFLICT (follower_id, followee_id) DO UPDATE SET reposts = coalesce($3::boolean, f.reposts)
       RETURNING seq, reposts, (xmax = 0) AS created`,
      [followerId, followeeId, reposts ?? null],
      tx,
    );
    if (row!.created) await this.adjustCounts(tx, followerId, followeeId, 1);
    return { seq: row!.created ? row!.seq : undefined, reposts: row!.reposts };
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

  /** Removes the edges both ways between two users (a block); returns those it removed. */
  async removeBetween(tx: Tx, a: string, b: string): Promise<RemovedFollow[]> {
    const removed: RemovedFollow[] = [];
    for (const [followerId, followeeId] of [
      [a, b],
      [b, a],
    ]) {
      const seq = await this.remove(tx, followerId, followeeId);
      if (seq) removed.push({ followerId, followeeId, seq });
    }
    return removed;
  }

  async isFollowing(followerId: string, followeeId: string): Promise<boolean> {
    const row = await this.db.one('SELECT 1 FROM follows WHERE follower_id = $1 AND followee_id = $2', [followerId, followeeId]);
    return row !== undefined;
  }

  async count(authorId: string): Promise<number> {
    const row = await this.db.one<{ followers_count: number }>('SELECT followers_count FROM users WHERE id = $1', [authorId]);
    return row?.followers_count ?? 0;
  }

  /**
   * Cuts the followers into slices of `size` by follower id, in one index scan. The last slice is
   * open-ended, so followers who arrive during the fan-out still fall into one.
   */
  async slices(authorId: string, size: number): Promise<FollowerSlice[]> {
    const rows = await this.db.rows<{ follower_id: string }>(
      `SELECT follower_id FROM (
         SELECT follower_id, row_number() OVER (ORDER BY follower_id) AS n
         FROM follows WHERE followee_id = $1
       ) numbered WHERE n % $2 = 0 ORDER BY follower_id`,
      [authorId, size],
    );
    const slices: FollowerSlice[] = [];
    let after = '0';
    for (const { follower_id: upto } of rows) {
      slices.push({ afterId: after, uptoId: upto });
      after = upto;
    }
    slices.push({ afterId: after, uptoId: null });
    return slices;
  }

  /** The next page of active followers after `afterId`, up to `uptoId`, ordered by id. */
  async page(authorId: string, afterId: string, uptoId: string | null, limit: number, activeSince: Date): Promise<FollowerPage> {
    // Pages by the follows index first, then drops inactive users, so a page of inactive
    // followers still moves the cursor forward. The activity is a lookup per follower by primary
    // key: as a join, the planner hashed the whole users table for every page (a 1,000-follower
    // page took 40 ms instead of 2 ms with 100,000 users, and grows with the users table).
    const rows = await this.db.rows<{ follower_id: string; active: boolean | null }>(
      `SELECT f.follower_id, (SELECT u.last_active_at FROM users u WHERE u.id = f.follower_id) >= $5 AS active
       FROM (SELECT follower_id FROM follows
             WHERE followee_id = $1 AND follower_id > $2 AND ($3::bigint IS NULL OR follower_id <= $3)
             ORDER BY follower_id LIMIT $4) f
       ORDER BY f.follower_id`,
      [authorId, afterId, uptoId, limit, activeSince],
    );
    return {
      ids: rows.filter((r) => r.active).map((r) => r.follower_id),
      lastId: rows.length > 0 ? rows[rows.length - 1].follower_id : null,
      scanned: rows.length,
    };
  }

  /** Which of these users follow the account. */
  async among(accountId: string, userIds: string[]): Promise<string[]> {
    if (userIds.length === 0) return [];
    const rows = await this.db.rows<{ follower_id: string }>(
      'SELECT follower_id FROM follows WHERE followee_id = $1 AND follower_id = ANY($2::bigint[]) ORDER BY follower_id',
      [accountId, userIds],
    );
    return rows.map((r) => r.follower_id);
  }

  /** Followers of a user, newest follow first, keyset-paged on the follow's sequence number. */
  followers(userId: string, beforeSeq: string | undefined, limit: number): Promise<EdgeListRow[]> {
    return this.db.rows<EdgeListRow>(
      `SELECT ${USER_COLUMNS}, f.seq FROM follows f JOIN users u ON u.id = f.follower_id
       WHERE f.followee_id = $1 AND ($2::bigint IS NULL OR f.seq < $2)
       ORDER BY f.seq DESC LIMIT $3`,
      [userId, beforeSeq ?? null, limit],
    );
  }

  following(userId: string, beforeSeq: string | undefined, limit: number): Promise<EdgeListRow[]> {
    return this.db.rows<EdgeListRow>(
      `SELECT ${USER_COLUMNS}, f.seq FROM follows f JOIN users u ON u.id = f.followee_id
       WHERE f.follower_id = $1 AND ($2::bigint IS NULL OR f.seq < $2)
       ORDER BY f.seq DESC LIMIT $3`,
      [userId, beforeSeq ?? null, limit],
    );
  }

  /**
   * The accounts this user follows that are too big to fan out; their posts are merged at read and
   * pushed to a room. A muted one is left out: its posts stay out of this user's home (rule 5), so
   * merging them would only feed the filter, and its room would push them live.
   */
  async bigFollowees(userId: string, threshold: number): Promise<string[]> {
    const rows = await this.db.rows<{ id: string }>(
      `SELECT u.id FROM follows f JOIN users u ON u.id = f.followee_id
       WHERE f.follower_id = $1 AND u.followers_count > $2
         AND NOT EXISTS (SELECT 1 FROM mutes m WHERE m.muter_id = $1 AND m.muted_id = f.followee_id)
       ORDER BY u.followers_count DESC LIMIT 500`,
      [userId, threshold],
    );
    return rows.map((r) => r.id);
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
