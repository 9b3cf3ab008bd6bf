import { Pool } from 'pg';
import { closedLoop } from '../closed-loop';
import { explain, serviceQuery } from '../explain';
import { DeepReadsResult } from '../results';
import { median } from '../stats';
import { mapLimit, RunContext } from './context';
import { HOME_BY_SQL, HOME_BY_SQL_IDS_FIRST } from './home-sql';

const LIMIT = 50;
const IN_FLIGHT = [1, 50];
const MAX_READERS = 200;
const PAGES_PER_VISIT = 5;
/** The API's own pool is 20 connections; fan-out on read gets as many. */
const SQL_POOL = 20;

interface Reader {
  id: string;
  token: string;
  /** The oldest post of the reader's Redis window: their deep pages start below it. */
  seam: string;
  history: number;
}

/** Where one reader is in their history, per side: HTTP follows nextCursor, SQL the last id it read. */
interface Scroll {
  next: number;
  readers: Reader[];
  at: Map<string, string>;
  pagesLeft: number[];
  current: (Reader | undefined)[];
}

/**
 * Pages beyond the Redis window, over HTTP, against the same pages computed from scratch in SQL.
 * Readers are the live-feed clients whose history runs at least a page below their window. Each loop scrolls one reader down PAGES_PER_VISIT pages, then takes the next reader;
 * a reader's next visit goes on where the last one stopped, so pages are seldom read twice (no
 * help from a cache that a real reader would not get either). Both SQL baselines scroll the same
 * way through the same histories.
 */
export async function runDeepReads(ctx: RunContext): Promise<DeepReadsResult> {
  ctx.progress.start('deep reads: readers');
  const readers = await deepReaders(ctx);
  if (readers.length === 0) throw new Error('deep reads: no reader has a history beyond the window; seed more posts (--seed-posts) or skip it (--skip deep)');
  ctx.progress.finish(`${readers.length} readers, histories of ${median(readers.map((r) => r.history))} posts (median)`);
  // One first page each, as a reader opens the app before scrolling: it marks them active (a write,
  // once an hour per reader) so the timed pages measure reading, not that.
  ctx.progress.start('deep reads: warm-up', readers.length);
  let warmed = 0;
  await mapLimit(readers, 16, async (reader) => {
    const res = await ctx.api.get(`/timelines/home?limit=${LIMIT}`, reader.token);
    if (res.status !== 200) throw new Error(`GET /timelines/home answered ${res.status}`);
    ctx.progress.update(++warmed);
  });
  ctx.progress.finish(`${readers.length} readers`);

  const result: DeepReadsResult = {
    readers: readers.length,
    historyPosts: { p50: median(readers.map((r) => r.history)) ?? 0, max: Math.max(...readers.map((r) => r.history)) },
    limit: LIMIT,
    pagesPerVisit: PAGES_PER_VISIT,
    seconds: ctx.options.readSeconds,
    http: {},
    sql: {},
    sqlIdsFirst: {},
    plans: [],
  };
  const http = scroll(readers);
  for (const inFlight of IN_FLIGHT) {
    ctx.progress.start(`deep reads: HTTP, ${inFlight} in flight`);
    result.http[inFlight] = await closedLoop(inFlight, ctx.options.readSeconds, (loop) =>
      step(http, loop, async (reader, after) => {
        const cursor = after ?? ctx.homeCursor(reader.id, reader.seam);
        const res = await ctx.api.get<{ items: unknown[]; nextCursor: string | null }>(`/timelines/home?limit=${LIMIT}&cursor=${cursor}`, reader.token);
        if (res.status !== 200) throw new Error(`GET /timelines/home answered ${res.status}`);
        return res.body.nextCursor;
      }),
    );
    ctx.progress.finish(`${result.http[inFlight].perSec} pages/s`);
  }
  const pool = new Pool({ connectionString: ctx.databaseUrl, max: SQL_POOL });
  try {
    for (const [label, query, into] of [
      ['SQL fan-out on read', HOME_BY_SQL, result.sql],
      ['SQL fan-out on read, ids first', HOME_BY_SQL_IDS_FIRST, result.sqlIdsFirst],
    ] as const) {
      const sql = scroll(readers);
      for (const inFlight of IN_FLIGHT) {
        ctx.progress.start(`deep reads: ${label}, ${inFlight} in flight`);
        into[inFlight] = await closedLoop(inFlight, ctx.options.readSeconds, (loop) =>
          step(sql, loop, async (reader, after) => {
            const { rows } = await pool.query<{ id: string }>(query, [reader.id, after ?? reader.seam, LIMIT]);
            return rows.length === LIMIT ? rows[rows.length - 1].id : null;
          }),
        );
        ctx.progress.finish(`${into[inFlight].perSec} pages/s`);
      }
    }
  } finally {
    await pool.end();
  }
  result.plans = await plans(ctx, readers);
  return result;
}

async function deepReaders(ctx: RunContext): Promise<Reader[]> {
  const { rows } = await ctx.sql.query<{ id: string; history: number }>(
    `SELECT r.id, (SELECT posts_count FROM users WHERE id = r.id)
              + (SELECT coalesce(sum(u.posts_count), 0) FROM follows f JOIN users u ON u.id = f.followee_id WHERE f.follower_id = r.id)::int AS history
     FROM unnest($1::bigint[]) AS r(id)`,
    [ctx.graph.clients.map((c) => c.id)],
  );
  const deep = rows.filter((r) => r.history > ctx.maxTimeline + LIMIT).slice(0, MAX_READERS);
  const pipeline = ctx.redis.pipeline();
  for (const r of deep) pipeline.lindex(ctx.keys.home(r.id), -1);
  const windows = (await pipeline.exec()) ?? [];
  const users = new Map(ctx.graph.clients.map((c) => [c.id, c]));
  return deep.flatMap((r, i) => {
    const oldest = windows[i][1] as string | null;
    return oldest && Number(oldest) > 0 ? [{ id: r.id, token: ctx.token(users.get(r.id)!), seam: oldest, history: r.history }] : [];
  });
}

function scroll(readers: Reader[]): Scroll {
  return { next: 0, readers, at: new Map(), pagesLeft: [], current: [] };
}

/** One page for this loop's reader; a new reader every PAGES_PER_VISIT pages or at the end of a history. */
async function step(s: Scroll, loop: number, read: (reader: Reader, after: string | undefined) => Promise<string | null>): Promise<void> {
  if (!s.current[loop] || s.pagesLeft[loop] <= 0) {
    s.current[loop] = s.readers[s.next++ % s.readers.length];
    s.pagesLeft[loop] = PAGES_PER_VISIT;
  }
  const reader = s.current[loop]!;
  const after = await read(reader, s.at.get(reader.id));
  s.pagesLeft[loop]--;
  if (after === null) {
    s.at.delete(reader.id);
    s.pagesLeft[loop] = 0;
  } else {
    s.at.set(reader.id, after);
  }
}

/** The plans behind the figures, for the reader with the longest history. */
async function plans(ctx: RunContext, readers: Reader[]) {
  const reader = readers.reduce((a, b) => (b.history > a.history ? b : a));
  const label = `reader following ${(await ctx.sql.query('SELECT following_count FROM users WHERE id = $1', [reader.id])).rows[0].following_count} accounts, history of ${reader.history} posts`;
  return [
    await explain(ctx.sql, `deep page of ${LIMIT}, the service's ids (${label})`, await serviceQuery((s) => s.homePostIds(reader.id, { before: reader.seam, limit: LIMIT + 1 }))),
    await explain(ctx.sql, `deep page of ${LIMIT}, SQL fan-out on read (rows read in each followee's range)`, { text: HOME_BY_SQL, params: [reader.id, reader.seam, LIMIT] }),
    await explain(ctx.sql, `deep page of ${LIMIT}, SQL fan-out on read, ids first`, { text: HOME_BY_SQL_IDS_FIRST, params: [reader.id, reader.seam, LIMIT] }),
  ];
}
