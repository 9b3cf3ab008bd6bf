import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The read position in each user's home timeline, shared by all their devices. `last_read_id` is a
 * position, not a reference: the post may be deleted later (or was never the reader's to see) and
 * the marker still works, so there is no foreign key to posts.
 */
export class HomeMarkers1795839200000 implements MigrationInterface {
  name = 'HomeMarkers1795839200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE home_markers (
        user_id      bigint      PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
        last_read_id bigint      NOT NULL CHECK (last_read_id > 0),
        updated_at   timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE home_markers`);
  }
}
