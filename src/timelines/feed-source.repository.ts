import { Injectable } from '@nestjs/common';
import { Database } from '../database/database';

const MAX_ID = '9223372036854775807';

/** The PostgreSQL side of the feed: what a timeline is rebuilt and merged from. */
@Injectable()
export class FeedSourceRepository {
  constructor(private readonly db: Database) {}

  /**
   * A reader's history in PostgreSQL: live post ids of the reader and of everyone they follow now
   * (big accounts included) and do not mute, newest first, strictly between `since` and `before`. It serves the
   * rebuild of a timeline, the first page of a reader whose timeline is missing, and every page
   * beyond the Redis window.
   *
   * One index range per author (posts_author_live_idx, keyset on id, never OFFSET), ids only, so
   * each range is an index-only scan; the planner's top-N sort merges them. Selecting the posts'
   * text here instead made PostgreSQL read every candidate row from the heap: 10 to 20 times
   * slower for a reader following 500 accounts (README, "Reading beyond the window").
   *
   * Muted accounts are left out here, by account, so a reader who mutes a prolific followee still
   * gets full pages; what the rules decide post by post is filtered by the reader (FeedFilter).
   */
  async homePostIds(userId: string, range: { before?: string; since?: string; limit: number }): Promise<string[]> {
    const rows = await this.db.rows<{ id: string }>(
      `SELECT p.id FROM (
         SELECT f.followee_id AS author_id FROM follows f
         WHERE f.follower_id = $1
           AND NOT EXISTS (SELECT 1 FROM mutes m WHERE m.muter_id = $1 AND m.muted_id = f.followee_id)
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

  /** When the user was last active, as last recorded. */
  async lastActiveAt(userId: string): Promise<Date | undefined> {
    return (await this.db.one<{ last_active_at: Date }>('SELECT last_active_at FROM users WHERE id = $1', [userId]))?.last_active_at;
  }

  async touch(userId: string): Promise<void> {
    await this.db.execute('UPDATE users SET last_active_at = now() WHERE id = $1', [userId]);
  }
}
