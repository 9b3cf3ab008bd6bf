import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Whether an author's posts are merged into followers' timelines when they are read (rule 6). It is
 * set when the fan-out skips an author as big, and cleared only once the recent posts they wrote
 * while big are in their followers' timelines: reading it instead of `followers_count` keeps a
 * shrinking account's posts from vanishing in between. Authors who have skipped posts today start
 * with it set, so an upgrade loses none.
 */
export class MergedAtRead1795927110000 implements MigrationInterface {
  name = 'MergedAtRead1795927110000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users ADD COLUMN merged_at_read boolean NOT NULL DEFAULT false`);
    await q.query(`
      UPDATE users SET merged_at_read = true
      WHERE id IN (SELECT p.author_id FROM post_fanouts f JOIN posts p ON p.id = f.post_id WHERE f.state = 'skipped')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users DROP COLUMN merged_at_read`);
  }
}
