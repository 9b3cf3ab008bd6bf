import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the retention job looks for, each a small partial index so its batches never scan a table:
 * finished fan-out records by when they finished, soft-deleted posts by when they were deleted.
 */
export class RetentionIndexes1795926110000 implements MigrationInterface {
  name = 'RetentionIndexes1795926110000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX post_fanouts_done_idx ON post_fanouts (finished_at) WHERE state = 'done'`);
    await q.query(`CREATE INDEX posts_deleted_idx ON posts (deleted_at) WHERE deleted_at IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX posts_deleted_idx`);
    await q.query(`DROP INDEX post_fanouts_done_idx`);
  }
}
