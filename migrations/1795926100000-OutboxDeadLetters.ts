import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The relay's bookkeeping per outbox row: `attempts` counts how often the relay had to enqueue the
 * work again (a job that ended failed or was lost), and `dead_at` is the dead-letter state the row
 * enters after OUTBOX_MAX_ATTEMPTS, where the relay stops touching it and an operator looks.
 * The pending index leaves dead rows out, so a pile of them never slows the relay's scan; the done
 * index serves the retention job's prune.
 */
export class OutboxDeadLetters1795926100000 implements MigrationInterface {
  name = 'OutboxDeadLetters1795926100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE outbox ADD COLUMN attempts integer NOT NULL DEFAULT 0, ADD COLUMN dead_at timestamptz`);
    await q.query(`DROP INDEX outbox_pending_idx`);
    await q.query(`CREATE INDEX outbox_pending_idx ON outbox (id) WHERE done_at IS NULL AND dead_at IS NULL`);
    await q.query(`CREATE INDEX outbox_dead_idx ON outbox (dead_at) WHERE dead_at IS NOT NULL`);
    await q.query(`CREATE INDEX outbox_done_idx ON outbox (done_at) WHERE done_at IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX outbox_done_idx`);
    await q.query(`DROP INDEX outbox_dead_idx`);
    await q.query(`DROP INDEX outbox_pending_idx`);
    await q.query(`CREATE INDEX outbox_pending_idx ON outbox (id) WHERE done_at IS NULL`);
    await q.query(`ALTER TABLE outbox DROP COLUMN dead_at, DROP COLUMN attempts`);
  }
}
