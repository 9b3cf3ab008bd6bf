import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Replies and reposts are posts with a link to another post. `reply_to_author_id` is copied from
 * the post replied to when the reply is written: the fan-out decides rule 1 (a reply reaches only
 * followers who also follow that account) per batch from the post alone, and a reply keeps naming
 * its author after the post it answers is deleted.
 *
 * One live repost per user and original: the unique partial index makes a repeated repost (or two
 * at once) find the first one instead of writing a second, and, led by the original, it is also
 * how deleting an original finds its reposts.
 */
export class RepliesAndReposts1795927100000 implements MigrationInterface {
  name = 'RepliesAndReposts1795927100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE posts
        ADD COLUMN reply_to_id        bigint REFERENCES posts(id) ON DELETE SET NULL,
        ADD COLUMN reply_to_author_id bigint REFERENCES users(id) ON DELETE SET NULL,
        ADD COLUMN repost_of_id       bigint REFERENCES posts(id) ON DELETE CASCADE,
        ADD CONSTRAINT posts_reply_or_repost CHECK (reply_to_id IS NULL OR repost_of_id IS NULL)`);
    // GET /posts/:id/replies: oldest first, keyset on id.
    await q.query(`CREATE INDEX posts_replies_idx ON posts (reply_to_id, id) WHERE reply_to_id IS NOT NULL AND deleted_at IS NULL`);
    await q.query(
      `CREATE UNIQUE INDEX posts_repost_once_key ON posts (repost_of_id, author_id) WHERE repost_of_id IS NOT NULL AND deleted_at IS NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX posts_repost_once_key`);
    await q.query(`DROP INDEX posts_replies_idx`);
    await q.query(`
      ALTER TABLE posts DROP CONSTRAINT posts_reply_or_repost,
        DROP COLUMN repost_of_id, DROP COLUMN reply_to_author_id, DROP COLUMN reply_to_id`);
  }
}
