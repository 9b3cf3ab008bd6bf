import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The rest of the social graph (issue 9): the per-follow `reposts` flag, blocks and mutes. Blocks
 * and mutes are edges like follows: a primary key on the pair for the writer's idempotence, an
 * index from the other side for "who blocks / mutes this account" (the relations cache loads both
 * sides of a user in one query), and a `seq` for the newest-first keyset pages of
 * `GET /users/me/blocks` and `/mutes`.
 */
export class BlocksMutesReposts1795927000000 implements MigrationInterface {
  name = 'BlocksMutesReposts1795927000000';

  async up(q: QueryRunner): Promise<void> {
    // A constant default: PostgreSQL 11+ adds it without rewriting the table.
    await q.query(`ALTER TABLE follows ADD COLUMN reposts boolean NOT NULL DEFAULT true`);
    // Few follows hide reposts: partial indexes find them from either side without scanning all follows.
    await q.query(`CREATE INDEX follows_no_reposts_followee_idx ON follows (followee_id, follower_id) WHERE NOT reposts`);
    await q.query(`CREATE INDEX follows_no_reposts_follower_idx ON follows (follower_id, followee_id) WHERE NOT reposts`);
    for (const [table, actor, target] of [
      ['blocks', 'blocker_id', 'blocked_id'],
      ['mutes', 'muter_id', 'muted_id'],
    ]) {
      await q.query(`
        CREATE TABLE ${table} (
          ${actor}  bigint      NOT NULL REFERENCES users(id) ON DELETE CASCADE,
          ${target} bigint      NOT NULL REFERENCES users(id) ON DELETE CASCADE,
          seq        bigint      GENERATED ALWAYS AS IDENTITY,
          created_at timestamptz NOT NULL DEFAULT now(),
          PRIMARY KEY (${actor}, ${target}),
          CHECK (${actor} <> ${target})
        )`);
      await q.query(`CREATE INDEX ${table}_${target}_idx ON ${table} (${target}, ${actor})`);
      await q.query(`CREATE INDEX ${table}_${actor}_seq_idx ON ${table} (${actor}, seq)`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE mutes`);
    await q.query(`DROP TABLE blocks`);
    await q.query(`DROP INDEX follows_no_reposts_follower_idx`);
    await q.query(`DROP INDEX follows_no_reposts_followee_idx`);
    await q.query(`ALTER TABLE follows DROP COLUMN reposts`);
  }
}
