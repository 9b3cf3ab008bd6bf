import { Injectable } from '@nestjs/common';
import { Database } from '../database/database';

/** The PostgreSQL side of the feed: what a timeline is rebuilt and merged from. */
@Injectable()
export class FeedSourceRepository {
  constructor(private readonly db: Database) {}

  /** Newest live post ids of the user and of everyone they follow, for a rebuild. */
  async homePostIds(userId: string, limit: number): Promise<string[]> {
    // One index range per followee (posts_author_live_idx), merged by the planner's top-N sort.
    const rows = await this.db.rows<{ id: string }>(
      `SELECT p.id FROM (
         SELECT followee_id AS author_id FROM follows WHERE follower_id = $1
         UNION ALL SELECT $1::bigint
       ) a
       CROSS JOIN LATERAL (
         SELECT id FROM posts WHERE author_id = a.author_id AND deleted_at IS NULL ORDER BY id DESC LIMIT $2
       ) p
       ORDER BY p.id DESC LIMIT $2`,
      [userId, limit],
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

  /** The accounts this user follows that are too big to fan out; their posts are merged at read. */
  async bigFollowees(userId: string, threshold: number): Promise<string[]> {
    const rows = await this.db.rows<{ id: string }>(
      `SELECT u.id FROM follows f JOIN users u ON u.id = f.followee_id
       WHERE f.follower_id = $1 AND u.followers_count > $2
       ORDER BY u.followers_count DESC LIMIT 500`,
      [userId, threshold],
    );
    return rows.map((r) => r.id);
  }

  /** Marks the user active now and returns when they were last active before. */
  async touch(userId: string): Promise<Date | undefined> {
    const row = await this.db.one<{ previous: Date }>(
      `UPDATE users u SET last_active_at = now()
       FROM (SELECT last_active_at AS previous FROM users WHERE id = $1 FOR UPDATE) before
       WHERE u.id = $1 RETURNING before.previous`,
      [userId],
    );
    return row?.previous;
  }

  async isFollowing(followerId: string, followeeId: string): Promise<boolean> {
    const row = await this.db.one('SELECT 1 FROM follows WHERE follower_id = $1 AND followee_id = $2', [
      followerId,
      followeeId,
    ]);
    return row !== undefined;
  }
}
