import { Injectable } from '@nestjs/common';
import { Database, Tx } from '../database/database';
import { PostRow } from './post.presenter';

const POST_COLUMNS = `p.id, p.text, p.created_at, p.author_id,
  u.username AS author_username, u.display_name AS author_display_name`;

/** How long an Idempotency-Key answers with the post it first created. */
const IDEMPOTENCY_WINDOW = '24 hours';

export type Claim = { kind: 'new'; postId: string } | { kind: 'replay'; postId: string };

@Injectable()
export class PostsRepository {
  constructor(private readonly db: Database) {}

  /**
   * Reserves the next post id under an idempotency key. A key seen in the last 24 hours answers
   * with its post instead; a concurrent twin waits on the key's row lock and then replays.
   */
  async claim(tx: Tx, userId: string, key: string | undefined): Promise<Claim> {
    if (key === undefined) {
      const row = await this.db.one<{ id: string }>('SELECT next_post_id() AS id', [], tx);
      return { kind: 'new', postId: row!.id };
    }
    const row = await this.db.one<{ post_id: string; fresh: boolean }>(
      `INSERT INTO idempotency_keys AS k (user_id, key, post_id) VALUES ($1, $2, next_post_id())
       ON CONFLICT (user_id, key) DO UPDATE
         SET post_id = CASE WHEN k.created_at > now() - interval '${IDEMPOTENCY_WINDOW}' THEN k.post_id ELSE EXCLUDED.post_id END,
             created_at = CASE WHEN k.created_at > now() - interval '${IDEMPOTENCY_WINDOW}' THEN k.created_at ELSE now() END
       RETURNING post_id, (xmax = 0 OR created_at = now()) AS fresh`,
      [userId, key],
      tx,
    );
    return { kind: row!.fresh ? 'new' : 'replay', postId: row!.post_id };
  }

  async insert(tx: Tx, postId: string, authorId: string, text: string): Promise<PostRow> {
    const row = await this.db.one<PostRow>(
      `WITH p AS (INSERT INTO posts (id, author_id, text) VALUES ($1, $2, $3) RETURNING *)
       SELECT ${POST_COLUMNS} FROM p JOIN users u ON u.id = p.author_id`,
      [postId, authorId, text],
      tx,
    );
    return row!;
  }

  findLive(id: string, tx?: Tx): Promise<PostRow | undefined> {
    return this.db.one<PostRow>(
      `SELECT ${POST_COLUMNS} FROM posts p JOIN users u ON u.id = p.author_id WHERE p.id = $1 AND p.deleted_at IS NULL`,
      [id],
      tx,
    );
  }

  /** Live posts among these ids, in no particular order; deleted and unknown ids are left out. */
  findLiveMany(ids: string[]): Promise<PostRow[]> {
    return this.db.rows<PostRow>(
      `SELECT ${POST_COLUMNS} FROM posts p JOIN users u ON u.id = p.author_id
       WHERE p.id = ANY($1::bigint[]) AND p.deleted_at IS NULL`,
      [ids],
    );
  }

  /** An author's live posts, newest first, keyset-paged by id. */
  listByAuthor(authorId: string, before: string | undefined, limit: number): Promise<PostRow[]> {
    return this.db.rows<PostRow>(
      `SELECT ${POST_COLUMNS} FROM posts p JOIN users u ON u.id = p.author_id
       WHERE p.author_id = $1 AND p.deleted_at IS NULL AND ($2::bigint IS NULL OR p.id < $2)
       ORDER BY p.id DESC LIMIT $3`,
      [authorId, before ?? null, limit],
    );
  }

  /** The author of a post, live or deleted, to tell 403 from 404. */
  async findAuthor(id: string): Promise<{ author_id: string; deleted: boolean } | undefined> {
    return this.db.one('SELECT author_id, deleted_at IS NOT NULL AS deleted FROM posts WHERE id = $1', [id]);
  }

  /** Marks a post deleted; true when this call deleted it. */
  async softDelete(tx: Tx, id: string): Promise<boolean> {
    return (await this.db.execute('UPDATE posts SET deleted_at = now() WHERE id = $1 AND deleted_at IS NULL', [id], tx)) > 0;
  }
}
