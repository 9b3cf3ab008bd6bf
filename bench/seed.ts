import { Client } from 'pg';

// A real argon2 hash is not needed for users who never log in (they get signed tokens).
const SEEDED_HASH = 'seeded-user-cannot-log-in';
/** Pareto tail of the following counts: most follow a few, some follow thousands. */
const FOLLOWING_ALPHA = 1.5;
const MAX_FOLLOWING = 5_000;
/** Who gets followed (and who posts): user rank^3 of a uniform draw, a few accounts take most. */
const POPULARITY_SKEW = 3;
/** Issue 9's rates: of the seeded posts a fifth are replies and a tenth reposts (by post id). */
const REPLY_SLOTS = [1, 6];
const REPOST_SLOT = 3;
/** Draws per pool user (duplicates dropped), targets by popularity, as people block and mute the loud. */
const BLOCKS_PER_USER = 2;
const MUTES_PER_USER = 3;

export interface SeededUser {
  id: string;
  username: string;
}

export interface Author extends SeededUser {
  followers: number;
}

export interface Graph {
  users: number;
  follows: number;
  seedPosts: number;
  blocks: number;
  mutes: number;
  /** The pool's user ids, contiguous: everyone but the authors. */
  pool: { first: number; last: number };
  /** The users whose home timelines exist: every pool user and every author. */
  timelineOwners: string[];
  /** Spread over the pool, following every author: they connect to the live feed. */
  clients: SeededUser[];
  /** One per follower-count class, smallest first. */
  authors: Author[];
  /** Followed by everyone: more followers than the threshold, merged at read. */
  big: Author;
  following: { p50: number; p99: number; max: number; mean: number };
  followersOfPool: { p50: number; p99: number; max: number };
  ms: number;
}

export interface SeedSpec {
  users: number;
  following: number;
  seedPosts: number;
  followers: number[];
  clients: number;
}

/**
 * Seeds the graph in bulk SQL: the pool users, a long-tailed background of follows among them, one
 * author per class followed by exactly that many pool users (the live-feed clients first), a big
 * account followed by everyone, and posts. Follows go in with their indexes dropped and rebuilt
 * after, which is many times faster than two million index insertions.
 */
export async function seedGraph(sql: Client, spec: SeedSpec): Promise<Graph> {
  const started = Date.now();
  await sql.query('SET synchronous_commit = off');
  await sql.query(`SET maintenance_work_mem = '256MB'`);

  const pool = await insertUsers(sql, 'user', spec.users);
  const stride = spec.users / Math.min(spec.clients, spec.users);
  const clientIds = Array.from({ length: Math.min(spec.clients, spec.users) }, (_, i) => String(pool.first + Math.floor(i * stride)));
  const authors: Author[] = [];
  for (const followers of spec.followers) {
    const [user] = await insertNamed(sql, [`author_${followers}`]);
    authors.push({ ...user, followers });
  }
  const [bigUser] = await insertNamed(sql, ['author_big']);

  await withFollowIndexesDropped(sql, async () => {
    if (spec.following > 0) {
      // Per user: k from a Pareto tail with mean `following`; each followee drawn by popularity.
      // Duplicates and self-follows are dropped, so the mean lands a little under the target.
      const minimum = (spec.following * (FOLLOWING_ALPHA - 1)) / FOLLOWING_ALPHA;
      await sql.query(
        `INSERT INTO follows (follower_id, followee_id)
         SELECT f, e FROM (
           SELECT u.id AS f, $1::bigint + floor($2 * power(random(), $3))::bigint AS e
           FROM users u
           CROSS JOIN LATERAL generate_series(1, least($4, floor($5 * power(1 - random(), -1.0 / $6))::int + 0 * u.id)) g
           WHERE u.id BETWEEN $1 AND $7
         ) drawn WHERE f <> e GROUP BY f, e`,
        [pool.first, spec.users, POPULARITY_SKEW, MAX_FOLLOWING, minimum, FOLLOWING_ALPHA, pool.last],
      );
    }
    await sql.query('CREATE TEMP TABLE bench_clients (id bigint PRIMARY KEY)');
    await sql.query('INSERT INTO bench_clients SELECT unnest($1::bigint[])', [clientIds]);
    for (const author of authors) {
      // The clients first (in id order), then pool users at random: every class reaches the
      // online clients, and the clients sit spread across the follower ids, not at the front.
      await sql.query(
        `INSERT INTO follows (follower_id, followee_id)
         SELECT id, $1 FROM (
           SELECT u.id FROM users u LEFT JOIN bench_clients c ON c.id = u.id
           WHERE u.id BETWEEN $2 AND $3
           ORDER BY c.id IS NULL, c.id, random() LIMIT $4
         ) chosen`,
        [author.id, pool.first, pool.last, author.followers],
      );
    }
    await sql.query(
      `INSERT INTO follows (follower_id, followee_id) SELECT id, $1 FROM users WHERE id <> $1`,
      [bigUser.id],
    );
  });

  await sql.query(
    `INSERT INTO posts (author_id, text)
     SELECT $1::bigint + floor($2 * power(random(), $3))::bigint, 'seeded post ' || n FROM generate_series(1, $4) n`,
    [pool.first, spec.users, POPULARITY_SKEW, spec.seedPosts],
  );
  await seedRepliesAndReposts(sql);
  const blocks = await seedEdges(sql, 'blocks', 'blocker_id', 'blocked_id', BLOCKS_PER_USER, pool, spec.users);
  const mutes = await seedEdges(sql, 'mutes', 'muter_id', 'muted_id', MUTES_PER_USER, pool, spec.users);
  // A block ends the follows between the two, both ways, as POST /users/:username/block does.
  await sql.query('DELETE FROM follows f USING blocks b WHERE f.follower_id = b.blocker_id AND f.followee_id = b.blocked_id');
  await sql.query('DELETE FROM follows f USING blocks b WHERE f.follower_id = b.blocked_id AND f.followee_id = b.blocker_id');
  await sql.query(
    `WITH ers AS (SELECT followee_id AS id, count(*)::int AS n FROM follows GROUP BY 1),
          ing AS (SELECT follower_id AS id, count(*)::int AS n FROM follows GROUP BY 1),
          pst AS (SELECT author_id AS id, count(*)::int AS n FROM posts GROUP BY 1)
     UPDATE users u SET followers_count = coalesce(ers.n, 0), following_count = coalesce(ing.n, 0), posts_count = coalesce(pst.n, 0)
     FROM users x LEFT JOIN ers ON ers.id = x.id LEFT JOIN ing ON ing.id = x.id LEFT JOIN pst ON pst.id = x.id
     WHERE u.id = x.id`,
  );
  // The big account's seeded posts were never fanned out: they are merged at read, as its fan-out
  // would have marked it (users.merged_at_read).
  await sql.query('UPDATE users SET merged_at_read = true WHERE id = $1', [bigUser.id]);
  // As autovacuum leaves a table in steady state: statistics for the planner, and a visibility
  // map, without which every index-only scan of follows still reads the heap.
  await sql.query('VACUUM (ANALYZE) users, follows, posts, blocks, mutes');

  const bigFollowers = Number((await sql.query('SELECT followers_count FROM users WHERE id = $1', [bigUser.id])).rows[0].followers_count);
  const shape = (
    await sql.query(
      `SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY following_count) AS ing50,
              percentile_disc(0.99) WITHIN GROUP (ORDER BY following_count) AS ing99,
              max(following_count) AS ingmax, avg(following_count)::float AS ingmean,
              percentile_disc(0.5) WITHIN GROUP (ORDER BY followers_count) AS ers50,
              percentile_disc(0.99) WITHIN GROUP (ORDER BY followers_count) AS ers99,
              max(followers_count) AS ersmax
       FROM users WHERE id BETWEEN $1 AND $2`,
      [pool.first, pool.last],
    )
  ).rows[0];
  const follows = Number((await sql.query('SELECT count(*) AS n FROM follows')).rows[0].n);
  const usernames = new Map(
    (await sql.query<SeededUser>('SELECT id, username FROM users WHERE id = ANY($1::bigint[])', [clientIds])).rows.map((r) => [r.id, r.username]),
  );
  return {
    users: spec.users + authors.length + 1,
    follows,
    seedPosts: spec.seedPosts,
    blocks,
    mutes,
    pool,
    timelineOwners: [...range(pool.first, pool.last), ...authors.map((a) => a.id), bigUser.id],
    clients: clientIds.map((id) => ({ id, username: usernames.get(id)! })),
    authors,
    big: { ...bigUser, followers: bigFollowers },
    following: { p50: shape.ing50, p99: shape.ing99, max: shape.ingmax, mean: Math.round(shape.ingmean * 10) / 10 },
    followersOfPool: { p50: shape.ers50, p99: shape.ers99, max: shape.ersmax },
    ms: Date.now() - started,
  };
}

/**
 * Turns seeded posts into replies and reposts at issue 9's rates, each pointing a few posts back
 * (to a plain post or a reply, never to a repost, and never to the same author), so timelines and
 * deep pages meet them as they would in a real feed.
 */
async function seedRepliesAndReposts(sql: Client): Promise<void> {
  await sql.query(
    `UPDATE posts p SET reply_to_id = o.id, reply_to_author_id = o.author_id
     FROM posts o WHERE p.id % 10 = ANY($1::int[]) AND o.id = p.id - 1 - p.id % 2 AND o.author_id <> p.author_id`,
    [REPLY_SLOTS],
  );
  await sql.query(
    `UPDATE posts p SET repost_of_id = o.id, text = ''
     FROM posts o WHERE p.id % 10 = $1 AND o.id = p.id - 2 AND o.author_id <> p.author_id`,
    [REPOST_SLOT],
  );
}

/** Blocks or mutes among the pool users: `perUser` draws each, targets skewed by popularity. */
async function seedEdges(sql: Client, table: string, actor: string, target: string, perUser: number, pool: { first: number; last: number }, users: number): Promise<number> {
  const { rowCount } = await sql.query(
    `INSERT INTO ${table} (${actor}, ${target})
     SELECT DISTINCT a, t FROM (
       SELECT u.id AS a, $1::bigint + floor($2 * power(random(), $3))::bigint AS t
       FROM users u CROSS JOIN generate_series(1, $4) g WHERE u.id BETWEEN $1 AND $5
     ) drawn WHERE a <> t`,
    [pool.first, users, POPULARITY_SKEW, perUser, pool.last],
  );
  return rowCount ?? 0;
}

async function insertUsers(sql: Client, prefix: string, count: number): Promise<{ first: number; last: number }> {
  const { rows } = await sql.query(
    `WITH added AS (
       INSERT INTO users (username, display_name, password_hash)
       SELECT $1 || n, 'User ' || n, $3 FROM generate_series(1, $2) n RETURNING id
     ) SELECT min(id)::float AS first, max(id)::float AS last, count(*)::int AS n FROM added`,
    [prefix, count, SEEDED_HASH],
  );
  if (rows[0].n !== count || rows[0].last - rows[0].first + 1 !== count) throw new Error('seeded user ids are not contiguous');
  return { first: rows[0].first, last: rows[0].last };
}

async function insertNamed(sql: Client, usernames: string[]): Promise<SeededUser[]> {
  const { rows } = await sql.query<SeededUser>(
    `INSERT INTO users (username, display_name, password_hash)
     SELECT n, n, $2 FROM unnest($1::text[]) n RETURNING id, username`,
    [usernames, SEEDED_HASH],
  );
  return rows;
}

/**
 * Runs a bulk load with the follows table's unique constraints and indexes dropped and its
 * foreign-key triggers off (the rows are valid by construction), then rebuilds them from the
 * definitions PostgreSQL reports, so a later migration's indexes come back as they were.
 */
async function withFollowIndexesDropped(sql: Client, load: () => Promise<void>): Promise<void> {
  const constraints = (
    await sql.query<{ name: string; def: string }>(
      `SELECT conname AS name, pg_get_constraintdef(oid) AS def FROM pg_constraint
       WHERE conrelid = 'follows'::regclass AND contype IN ('p', 'u')`,
    )
  ).rows;
  const indexes = (
    await sql.query<{ name: string; def: string }>(
      `SELECT indexname AS name, indexdef AS def FROM pg_indexes
       WHERE schemaname = current_schema() AND tablename = 'follows'
         AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = 'follows'::regclass)`,
    )
  ).rows;
  for (const index of indexes) await sql.query(`DROP INDEX "${index.name}"`);
  for (const constraint of constraints) await sql.query(`ALTER TABLE follows DROP CONSTRAINT "${constraint.name}"`);
  await sql.query('SET session_replication_role = replica');
  try {
    await load();
  } finally {
    await sql.query('SET session_replication_role = origin');
    for (const constraint of constraints) await sql.query(`ALTER TABLE follows ADD CONSTRAINT "${constraint.name}" ${constraint.def}`);
    for (const index of indexes) await sql.query(index.def);
  }
}

function* range(first: number, last: number): Generator<string> {
  for (let id = first; id <= last; id++) yield String(id);
}
