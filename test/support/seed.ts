import { Client } from 'pg';

// A real argon2 hash is not needed for users who never log in; seeding stays fast.
const SEEDED_HASH = 'seeded-user-cannot-log-in';

async function seedUsers(sql: Client, count: number, prefix: string): Promise<string[]> {
  const { rows } = await sql.query<{ id: string }>(
    `INSERT INTO users (username, display_name, password_hash)
     SELECT $1 || '_' || n, $1 || ' ' || n, $3 FROM generate_series(1, $2) AS n
     RETURNING id`,
    [`${prefix}${Date.now().toString(36)}`, count, SEEDED_HASH],
  );
  return rows.map((r) => r.id);
}

/** Creates `count` users who all follow the author, in bulk SQL; returns their ids. */
export async function seedFollowers(sql: Client, authorId: string, count: number, prefix = 'f'): Promise<string[]> {
  const ids = await seedUsers(sql, count, prefix);
  await sql.query(
    `INSERT INTO follows (follower_id, followee_id) SELECT unnest($1::bigint[]), $2`,
    [ids, authorId],
  );
  await sql.query(
    // Added, not recounted: follows made through the API may still be deltas (src/users/user-counts.ts).
    `UPDATE users SET followers_count = followers_count + $2 WHERE id = $1`,
    [authorId, ids.length],
  );
  await sql.query(`UPDATE users SET following_count = following_count + 1 WHERE id = ANY($1::bigint[])`, [ids]);
  return ids;
}

/** Creates `count` users whom the follower follows, in bulk SQL; returns their ids. */
export async function seedFollowees(sql: Client, followerId: string, count: number, prefix = 'e'): Promise<string[]> {
  const ids = await seedUsers(sql, count, prefix);
  await sql.query(`INSERT INTO follows (follower_id, followee_id) SELECT $1, unnest($2::bigint[])`, [followerId, ids]);
  await sql.query(`UPDATE users SET followers_count = followers_count + 1 WHERE id = ANY($1::bigint[])`, [ids]);
  await sql.query(`UPDATE users SET following_count = following_count + $2 WHERE id = $1`, [followerId, ids.length]);
  return ids;
}
