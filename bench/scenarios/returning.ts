import { explain, graphQuery, serviceQuery } from '../explain';
import { REBUILDING } from '../../src/timelines/timeline-scripts';
import { ReturningResult } from '../results';
import { SeededUser } from '../seed';
import { median, summarize } from '../stats';
import { RunContext, sleep } from './context';

const READERS = 10;
const FOLLOWING = 2_000;
const ROUNDS = 3;
const LIMIT = 20;
/** Followees are drawn like the seeded graph's follows (by popularity); this many draws give enough distinct ones. */
const DRAWS = 50_000;
const POPULARITY_SKEW = 3;
const REBUILD_DEADLINE_MS = 30_000;

/**
 * A reader back after a long absence, who follows 2,000 accounts: their timeline was dropped (as
 * the first read after FANOUT_INACTIVE_DAYS drops it; a Redis flush or an eviction leaves the same),
 * and their cached big followees are gone. Measured: their first page (from PostgreSQL, while the
 * timeline is rebuilt in the background), the time until the rebuilt timeline is complete, and the
 * same reader's first page once it is (a warm reader's first page), in turn, ROUNDS times each.
 */
export async function runReturning(ctx: RunContext): Promise<ReturningResult> {
  ctx.progress.start(`returning readers: seeding ${READERS} who follow ${FOLLOWING.toLocaleString('en-US')} accounts`);
  const readers = await seedReaders(ctx);
  const following = Number((await ctx.sql.query('SELECT min(following_count) AS n FROM users WHERE id = ANY($1)', [readers.map((r) => r.id)])).rows[0].n);
  const history = await histories(ctx, readers);
  ctx.progress.finish(`following ${following.toLocaleString('en-US')} each, histories of ${median(history)} posts (median)`);

  const cold: number[] = [];
  const warm: number[] = [];
  const rebuild: number[] = [];
  ctx.progress.start('returning readers: first page cold, rebuild, first page warm', READERS * ROUNDS);
  for (let round = 0; round < ROUNDS; round++) {
    for (const reader of readers) {
      await forget(ctx, reader);
      const token = ctx.token(reader);
      const started = performance.now();
      const first = await ctx.api.get<{ items: unknown[] }>(`/timelines/home?limit=${LIMIT}`, token);
      if (first.status !== 200 || first.body.items.length === 0) throw new Error(`returning reader's first page: ${first.status}, ${first.body.items?.length} posts`);
      cold.push(first.ms);
      rebuild.push(await rebuilt(ctx, reader, started));
      const again = await ctx.api.get<{ items: unknown[] }>(`/timelines/home?limit=${LIMIT}`, token);
      if (again.status !== 200) throw new Error(`warm first page: ${again.status}`);
      warm.push(again.ms);
      ctx.progress.update(cold.length);
    }
  }
  const coldMs = summarize(cold);
  const warmMs = summarize(warm);
  ctx.progress.finish(`first page ${coldMs.p50} ms cold, ${warmMs.p50} ms warm (p50); rebuilt in ${summarize(rebuild).p50} ms`);

  const sample = readers[0];
  const plans = [
    await explain(ctx.sql, `first page of ${LIMIT} from PostgreSQL, reader following ${following} accounts`, await serviceQuery((s) => s.homePostIds(sample.id, { limit: LIMIT + 1 }))),
    await explain(ctx.sql, `rebuild of ${ctx.maxTimeline} entries, same reader`, await serviceQuery((s) => s.homePostIds(sample.id, { limit: ctx.maxTimeline }))),
    await explain(ctx.sql, 'big followees of the same reader (skipped on the cold read)', await graphQuery((g) => g.bigFollowees(sample.id))),
  ];
  return {
    readers: readers.length,
    following,
    historyPosts: { p50: median(history) ?? 0, max: Math.max(...history) },
    rounds: ROUNDS,
    limit: LIMIT,
    coldMs,
    warmMs,
    rebuildMs: summarize(rebuild),
    plans,
  };
}

/** New users following accounts drawn by popularity, counts kept exact, tables vacuumed as autovacuum would. */
async function seedReaders(ctx: RunContext): Promise<SeededUser[]> {
  const { rows } = await ctx.sql.query<SeededUser>(
    `INSERT INTO users (username, display_name, password_hash)
     SELECT $1 || n, 'Returning ' || n, 'seeded-user-cannot-log-in' FROM generate_series(1, $2) n RETURNING id, username`,
    [`returning_${ctx.tag.slice(-8).replace(/\W/g, '')}_`, READERS],
  );
  const { first, last } = ctx.graph.pool;
  await ctx.sql.query(
    `INSERT INTO follows (follower_id, followee_id)
     SELECT r.id, e.id FROM unnest($1::bigint[]) AS r(id)
     CROSS JOIN LATERAL (
       SELECT id FROM (
         SELECT DISTINCT ($2::bigint + floor(($3::bigint - $2 + 1) * power(random(), $4)))::bigint AS id
         FROM generate_series(1, $5) WHERE r.id IS NOT NULL
       ) drawn ORDER BY random() LIMIT $6
     ) e`,
    [rows.map((r) => r.id), first, last, POPULARITY_SKEW, DRAWS, FOLLOWING],
  );
  await ctx.sql.query(
    `WITH added AS (SELECT follower_id, followee_id FROM follows WHERE follower_id = ANY($1)),
          ing AS (SELECT follower_id AS id, count(*)::int AS n FROM added GROUP BY 1),
          ers AS (SELECT followee_id AS id, count(*)::int AS n FROM added GROUP BY 1),
          a AS (UPDATE users u SET following_count = ing.n FROM ing WHERE u.id = ing.id)
     UPDATE users u SET followers_count = u.followers_count + ers.n FROM ers WHERE u.id = ers.id`,
    [rows.map((r) => r.id)],
  );
  await ctx.sql.query('VACUUM (ANALYZE) follows, users');
  return rows;
}

async function histories(ctx: RunContext, readers: SeededUser[]): Promise<number[]> {
  const { rows } = await ctx.sql.query<{ n: number }>(
    `SELECT (SELECT coalesce(sum(u.posts_count), 0) FROM follows f JOIN users u ON u.id = f.followee_id WHERE f.follower_id = r.id)::int AS n
     FROM unnest($1::bigint[]) AS r(id)`,
    [readers.map((r) => r.id)],
  );
  return rows.map((r) => r.n);
}

/** As after a long absence: last seen 60 days ago, and nothing of theirs in Redis. */
async function forget(ctx: RunContext, reader: SeededUser): Promise<void> {
  await ctx.sql.query(`UPDATE users SET last_active_at = now() - interval '60 days' WHERE id = $1`, [reader.id]);
  const pipeline = ctx.redis.pipeline();
  for (const key of [ctx.keys.home(reader.id), ctx.keys.bigFollowees(reader.id), ctx.keys.lastSeen(reader.id)]) pipeline.del(key);
  await pipeline.exec();
}

/** Milliseconds from `started` until the reader's timeline and cached big followees are back in Redis. */
async function rebuilt(ctx: RunContext, reader: SeededUser, started: number): Promise<number> {
  for (;;) {
    const [[, tail], [, big]] = (await ctx.redis.pipeline().lindex(ctx.keys.home(reader.id), -1).exists(ctx.keys.bigFollowees(reader.id)).exec()) as [
      [unknown, string | null],
      [unknown, number],
    ];
    if (tail !== null && tail !== REBUILDING && big === 1) return performance.now() - started;
    if (performance.now() - started > REBUILD_DEADLINE_MS) throw new Error(`the timeline of returning reader ${reader.id} was not rebuilt in ${REBUILD_DEADLINE_MS / 1000} s`);
    await sleep(2);
  }
}
