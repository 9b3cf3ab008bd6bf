import { Injectable } from '@nestjs/common';
import { Database } from '../database/database';

const MAX_ID = '9223372036854775807';

/** The PostgreSQL side of the feed: what a timeline is rebuilt and merged from. */
@Injectable()
export class FeedSourceRepository {
  constructor(private readonly db: Database) {}

  /**
   * A reader's history in PostgreSQL: live post ids of the reader and of everyone they follow now
   * (big accounts included), newest first, strictly between `since` and `before`. It serves the
   * rebuild of a timeline, the first page of a reader whose timeline is missing, and every page
   * beyond the Redis window.
   *
   * One index range per author (posts_author_live_idx, keyset on id, never OFFSET), ids only, so
   * each range is an index-only scan; the planner's top-N sort merges them. Selecting the posts'
   * text here instead made PostgreSQL read every candidate row from the heap: 10 to 20 times
   * slower for a reader following 500 accounts (README, "Reading beyond the window").
   */
  async homePostIds(userId: string, range: { before?: string; since?: string; limit: number }): Promise<string[]> {
    const rows = await this.db.rows<{ id: string }>(
      `SELECT p.id FROM (
         SELECT followee_id AS author_id FROM follows WHERE follower_id = $1
         UNION ALL SELECT $1::bigint
       ) a
       CROSS JOIN LATERAL (
         SELECT id FROM posts
         WHERE author_id = a.author_id AND deleted_at IS NULL AND id < $2 AND id > $3
         ORDER BY id DESC LIMIT $4
       ) p
       ORDER BY p.id DESC LIMIT $4`,
      // Bounds as values, never as "$2 IS NULL OR ...": both stay index conditions in any plan.
      [userId, range.before ?? MAX_ID, range.since ?? '0', range.limit],
    );
    return rows.map((r) => r.id);
  }

  async authorPostIds(authorId: string, limit: number): Promise<string[]> {
    const rows = await this.db.rows<{ id: string }>(
      'SELECT id FROM posts WHERE author_id = $1 AND deleted_at IS NULL ORDER BY id DESC LIMIT $2',
      [authorId, limit],
    );
    return rows.map((r) => r.id);
  }

  /**
   * The accounts this user follows whose posts are merged at read: big ones, and those that stopped
   * being big until the posts they wrote while big are in their followers' timelines (rule 6).
   */
  async bigFollowees(userId: string): Promise<string[]> {
    const rows = await this.db.rows<{ id: string }>(
      `SELECT u.id FROM follows f JOIN users u ON u.id = f.followee_id
       WHERE f.follower_id = $1 AND u.merged_at_read
       ORDER BY u.followers_count DESC LIMIT 500`,
      [userId],
    );
    return rows.map((r) => r.id);
  }

  /** When the user was last active, as last recorded. */
  async lastActiveAt(userId: string): Promise<Date | undefined> {
    return (await this.db.one<{ last_active_at: Date }>('SELECT last_active_at FROM users WHERE id = $1', [userId]))?.last_active_at;
  }

  async touch(userId: string): Promise<void> {
    await this.db.execute('UPDATE users SET last_active_at = now() WHERE id = $1', [userId]);
  }

  async isFollowing(followerId: string, followeeId: string): Promise<boolean> {
    const row = await this.db.one('SELECT 1 FROM follows WHERE follower_id = $1 AND followee_id = $2', [
      followerId,
      followeeId,
    ]);
    return row !== undefined;
  }
}
