import { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialSchema1764288000000 implements MigrationInterface {
  name = 'InitialSchema1764288000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE users (
        id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        username        varchar(30)  NOT NULL,
        display_name    varchar(50)  NOT NULL,
        password_hash   text         NOT NULL,
        created_at      timestamptz  NOT NULL DEFAULT now(),
        last_active_at  timestamptz  NOT NULL DEFAULT now(),
        followers_count integer      NOT NULL DEFAULT 0,
        following_count integer      NOT NULL DEFAULT 0,
        posts_count     integer      NOT NULL DEFAULT 0
      )`);
    await q.query(`CREATE UNIQUE INDEX users_username_lower_key ON users (lower(username))`);

    await q.query(`
      CREATE TABLE follows (
        follower_id bigint      NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        followee_id bigint      NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        seq         bigint      GENERATED ALWAYS AS IDENTITY,
        created_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (follower_id, followee_id),
        CHECK (follower_id <> followee_id)
      )`);
    // Fan-out pages followers by keyset on this index; the two seq indexes serve the newest-first lists.
    await q.query(`CREATE UNIQUE INDEX follows_followee_follower_key ON follows (followee_id, follower_id)`);
    await q.query(`CREATE INDEX follows_followee_seq_idx ON follows (followee_id, seq)`);
    await q.query(`CREATE INDEX follows_follower_seq_idx ON follows (follower_id, seq)`);

    // Post ids: milliseconds since 2025-01-01 in the high 41 bits, a sequence in the low 12.
    // Time-ordered, unique across every API process (PostgreSQL hands them out), and below 2^53
    // until 2094, so a Redis score and a JavaScript number hold them exactly.
    await q.query(`CREATE SEQUENCE post_id_seq`);
    await q.query(`
      CREATE FUNCTION next_post_id() RETURNS bigint LANGUAGE sql VOLATILE AS $$
        SELECT ((floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint - 1735689600000) << 12)
               | (nextval('post_id_seq') % 4096)
      $$`);
    await q.query(`
      CREATE TABLE posts (
        id         bigint      PRIMARY KEY DEFAULT next_post_id(),
        author_id  bigint      NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        text       text        NOT NULL,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        deleted_at timestamptz
      )`);
    await q.query(`CREATE INDEX posts_author_live_idx ON posts (author_id, id DESC) WHERE deleted_at IS NULL`);

    await q.query(`
      CREATE TABLE idempotency_keys (
        user_id    bigint       NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        key        varchar(255) NOT NULL,
        post_id    bigint       NOT NULL,
        created_at timestamptz  NOT NULL DEFAULT now(),
        PRIMARY KEY (user_id, key)
      )`);
    await q.query(`CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at)`);

    // The transactional outbox: a row is written in the same transaction as the change that needs
    // background work, and stays until that work is done; the relay re-enqueues rows left behind.
    await q.query(`
      CREATE TABLE outbox (
        id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        kind       varchar(32) NOT NULL,
        job_id     varchar(128) NOT NULL UNIQUE,
        payload    jsonb       NOT NULL,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        enqueued_at timestamptz,
        done_at    timestamptz
      )`);
    await q.query(`CREATE INDEX outbox_pending_idx ON outbox (id) WHERE done_at IS NULL`);

    await q.query(`
      CREATE TABLE post_fanouts (
        post_id      bigint      PRIMARY KEY REFERENCES posts(id) ON DELETE CASCADE,
        state        varchar(16) NOT NULL DEFAULT 'pending',
        followers    integer     NOT NULL DEFAULT 0,
        delivered    integer     NOT NULL DEFAULT 0,
        chunks_total integer     NOT NULL DEFAULT 0,
        chunks_done  integer     NOT NULL DEFAULT 0,
        started_at   timestamptz,
        finished_at  timestamptz,
        delay_ms     integer,
        CHECK (state IN ('pending', 'running', 'done', 'skipped'))
      )`);

    // One row per slice of a big following; the cursor is the checkpoint a retried job resumes from.
    await q.query(`
      CREATE TABLE fanout_chunks (
        post_id   bigint  NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
        chunk_no  integer NOT NULL,
        after_id  bigint  NOT NULL,
        upto_id   bigint,
        cursor_id bigint  NOT NULL,
        delivered integer NOT NULL DEFAULT 0,
        done      boolean NOT NULL DEFAULT false,
        PRIMARY KEY (post_id, chunk_no)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE fanout_chunks`);
    await q.query(`DROP TABLE post_fanouts`);
    await q.query(`DROP TABLE outbox`);
    await q.query(`DROP TABLE idempotency_keys`);
    await q.query(`DROP TABLE posts`);
    await q.query(`DROP FUNCTION next_post_id()`);
    await q.query(`DROP SEQUENCE post_id_seq`);
    await q.query(`DROP TABLE follows`);
    await q.query(`DROP TABLE users`);
  }
}
