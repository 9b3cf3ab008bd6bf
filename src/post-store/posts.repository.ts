import { Injectable } from '@nestjs/common';
import { Database, Tx } from '../database/database';
import { PostRow } from './post.presenter';

const POST_COLUMNS = `p.id, p.text, p.created_at, p.author_id,
  u.username AS author_username, u.display_name AS author_display_name,
  p.reply_to_id, p.reply_to_author_id, ru.username AS reply_to_username, ru.display_name AS reply_to_display_name,
  p.repost_of_id, o.text AS orig_text, o.created_at AS orig_created_at, o.author_id AS orig_author_id,
  ou.username AS orig_author_username, ou.display_name AS orig_author_display_name,
  o.reply_to_id AS orig_reply_to_id, o.reply_to_author_id AS orig_reply_to_author_id,
  oru.username AS orig_reply_to_username, oru.display_name AS orig_reply_to_display_name`;

/**
 * Posts `p` with everything a Post shows: its author, the author of the post it replies to, and
 * for a repost the original with its authors, so a page of reposts is read in one query.
 */
const postsFrom = (source: string) => `${source} p JOIN users u ON u.id = p.author_id
  LEFT JOIN users ru ON ru.id = p.reply_to_author_id
  LEFT JOIN posts o ON o.id = p.repost_of_id
  LEFT JOIN users ou ON ou.id = o.author_id
  LEFT JOIN users oru ON oru.id = o.reply_to_author_id`;
const POSTS = postsFrom('posts');

/** How long an Idempotency-Key answers with the post it first created; RetentionRepository drops older keys. */
export const IDEMPOTENCY_WINDOW = '24 hours';

/** What a post links to: its author, the author of the post it replies to, the original it reposts. */
export interface PostLinks {
  author_id: string;
  deleted: boolean;
  reply_to_author_id: string | null;
  repost_of_id: string | null;
  original_author_id: string | null;
}

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

  /**
   * Inserts a post; a reply takes the author of the post it answers from that post. Undefined when
   * the post replied to is not live (unknown, or deleted), and then nothing is inserted.
   */
  async insert(tx: Tx, postId: string, authorId: string, text: string, replyToId?: string): Promise<PostRow | undefined> {
    return this.db.one<PostRow>(
      `WITH r AS (SELECT id, author_id FROM posts WHERE id = $4 AND deleted_at IS NULL),
       inserted AS (
         INSERT INTO posts (id, author_id, text, reply_to_id, reply_to_author_id)
         SELECT $1, $2, $3, r.id, r.author_id FROM (SELECT 1) one LEFT JOIN r ON true
         WHERE $4::bigint IS NULL OR r.id IS NOT NULL
         RETURNING *)
       SELECT ${POST_COLUMNS} FROM ${postsFrom('inserted')}`,
      [postId, authorId, text, replyToId ?? null],
      tx,
    );
  }

  /**
   * Reposts a live original, once per user: a repeat, or a twin running at the same moment, finds
   * the repost already there (`created: false`). Undefined when the original is not live.
   */
  async repost(tx: Tx, userId: string, originalId: string): Promise<{ row: PostRow; created: boolean } | undefined> {
    const inserted = await this.db.one<{ id: string }>(
      `INSERT INTO posts (author_id, text, repost_of_id)
       SELECT $1, '', id FROM posts WHERE id = $2 AND deleted_at IS NULL AND repost_of_id IS NULL
       ON CONFLICT (repost_of_id, author_id) WHERE repost_of_id IS NOT NULL AND deleted_at IS NULL DO NOTHING
       RETURNING id`,
      [userId, originalId],
      tx,
    );
    const id = inserted?.id ?? (await this.findRepostId(userId, originalId, tx));
    if (id === undefined) return undefined;
    const row = await this.findLive(id, tx);
    return row && { row, created: inserted !== undefined };
  }

  /** The user's live repost of the original, if any. */
  async findRepostId(userId: string, originalId: string, tx?: Tx): Promise<string | undefined> {
    const row = await this.db.one<{ id: string }>(
      'SELECT id FROM posts WHERE repost_of_id = $1 AND author_id = $2 AND deleted_at IS NULL',
      [originalId, userId],
      tx,
    );
    return row?.id;
  }

  /** Marks the live reposts of an original deleted; returns them. */
  async softDeleteReposts(tx: Tx, originalId: string): Promise<{ id: string; author_id: string }[]> {
    return this.db.rows(
      'UPDATE posts SET deleted_at = now() WHERE repost_of_id = $1 AND deleted_at IS NULL RETURNING id, author_id',
      [originalId],
      tx,
    );
  }

  /** Live replies to a post, oldest first, keyset-paged by id. */
  listReplies(postId: string, after: string | undefined, limit: number): Promise<PostRow[]> {
    return this.db.rows<PostRow>(
      `SELECT ${POST_COLUMNS} FROM ${POSTS}
       WHERE p.reply_to_id = $1 AND p.deleted_at IS NULL AND p.id > $2
       ORDER BY p.id LIMIT $3`,
      [postId, after ?? '0', limit],
    );
  }

  /** What a post links to, live or deleted, for the fan-out's rules and for telling 403 from 404. */
  async findLinks(id: string): Promise<PostLinks | undefined> {
    return this.db.one<PostLinks>(
      `SELECT p.author_id, p.deleted_at IS NOT NULL AS deleted, p.reply_to_author_id, p.repost_of_id, o.author_id AS original_author_id
       FROM posts p LEFT JOIN posts o ON o.id = p.repost_of_id WHERE p.id = $1`,
      [id],
    );
  }

  findLive(id: string, tx?: Tx): Promise<PostRow | undefined> {
    return this.db.one<PostRow>(
      `SELECT ${POST_COLUMNS} FROM ${POSTS} WHERE p.id = $1 AND p.deleted_at IS NULL`,
      [id],
      tx,
    );
  }

  /** Live posts among these ids, in no particular order; deleted and unknown ids are left out. */
  findLiveMany(ids: string[]): Promise<PostRow[]> {
    return this.db.rows<PostRow>(
      `SELECT ${POST_COLUMNS} FROM ${POSTS}
       WHERE p.id = ANY($1::bigint[]) AND p.deleted_at IS NULL`,
      [ids],
    );
  }

  /** An author's live posts, newest first, keyset-paged by id. */
  listByAuthor(authorId: string, before: string | undefined, limit: number): Promise<PostRow[]> {
    return this.db.rows<PostRow>(
      `SELECT ${POST_COLUMNS} FROM ${POSTS}
       WHERE p.author_id = $1 AND p.deleted_at IS NULL AND ($2::bigint IS NULL OR p.id < $2)
       ORDER BY p.id DESC LIMIT $3`,
      [authorId, before ?? null, limit],
    );
  }

  /** Marks a post deleted; true when this call deleted it. */
  async softDelete(tx: Tx, id: string): Promise<boolean> {
    return (await this.db.execute('UPDATE posts SET deleted_at = now() WHERE id = $1 AND deleted_at IS NULL', [id], tx)) > 0;
  }
}
