import { Injectable } from '@nestjs/common';
import { Database } from '../database/database';

/** Which authors are merged at read rather than fanned out (users.merged_at_read), and their skipped posts. */
@Injectable()
export class BigAccountsRepository {
  constructor(private readonly db: Database) {}

  /** Marks the author as merged at read; true when they were not before. */
  async markMerged(authorId: string): Promise<boolean> {
    return (await this.db.execute('UPDATE users SET merged_at_read = true WHERE id = $1 AND NOT merged_at_read', [authorId])) > 0;
  }

  async isMerged(authorId: string): Promise<boolean> {
    const row = await this.db.one<{ merged_at_read: boolean }>('SELECT merged_at_read FROM users WHERE id = $1', [authorId]);
    return row?.merged_at_read ?? false;
  }

  /**
   * Clears the mark, unless the author became big again meanwhile (a post of theirs skipped since
   * `since`, the newest skipped post the caller merged): their newer posts still need the merge.
   */
  async unmarkMerged(authorId: string, since: string): Promise<boolean> {
    return (
      (await this.db.execute(
        `UPDATE users u SET merged_at_read = false WHERE u.id = $1 AND NOT EXISTS (
           SELECT 1 FROM posts p JOIN post_fanouts f ON f.post_id = p.id
           WHERE p.author_id = $1 AND p.id > $2 AND f.state = 'skipped')`,
        [authorId, since],
      )) > 0
    );
  }

  /** The author's newest live posts that were skipped as a big account's, newest first. */
  async skippedPostIds(authorId: string, limit: number): Promise<string[]> {
    const rows = await this.db.rows<{ id: string }>(
      `SELECT p.id FROM posts p JOIN post_fanouts f ON f.post_id = p.id
       WHERE p.author_id = $1 AND p.deleted_at IS NULL AND f.state = 'skipped'
       ORDER BY p.id DESC LIMIT $2`,
      [authorId, limit],
    );
    return rows.map((r) => r.id);
  }
}
