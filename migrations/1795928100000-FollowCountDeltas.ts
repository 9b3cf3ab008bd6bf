import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Follower and following counts as deltas. A follow used to add 1 to both users' counters in its
 * own transaction: 2,000 followers arriving at once queued on the followee's row (each holding
 * its lock until commit), and the row lock taken FOR UPDATE deadlocked with the KEY SHARE locks
 * that the follows foreign keys take. Now a follow inserts one delta row per user (no lock on
 * any counter), a folder (FollowCountsFolder) adds them into the users columns in the
 * background, and readers add the deltas not folded yet, so every count is exact at once.
 * No foreign key: an insert here takes no lock on the users row; a user's orphaned deltas
 * (after a delete) are folded into nothing and removed.
 */
export class FollowCountDeltas1795928100000 implements MigrationInterface {
  name = 'FollowCountDeltas1795928100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE follow_count_deltas (
        id        bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        user_id   bigint  NOT NULL,
        followers integer NOT NULL,
        following integer NOT NULL
      )`);
    // Readers sum a user's pending deltas by this index; the folder takes the oldest by the key.
    await q.query(`CREATE INDEX follow_count_deltas_user_idx ON follow_count_deltas (user_id) INCLUDE (followers, following)`);
  }

  async down(q: QueryRunner): Promise<void> {
    // Folds what is pending first, so the counters stay exact for the code that goes back.
    await q.query(`
      WITH sums AS (
        SELECT user_id, sum(followers)::int AS followers, sum(following)::int AS following
        FROM follow_count_deltas GROUP BY user_id)
      UPDATE users u SET followers_count = u.followers_count + s.followers, following_count = u.following_count + s.following
      FROM sums s WHERE u.id = s.user_id`);
    await q.query(`DROP TABLE follow_count_deltas`);
  }
}
