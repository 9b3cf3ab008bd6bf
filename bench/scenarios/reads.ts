import autocannon from 'autocannon';
import Redis from 'ioredis';
import { Pool } from 'pg';
import { ReadsResult, Throughput } from '../results';
import { summarize } from '../stats';
import { mapLimit, RunContext } from './context';

const LIMIT = 50;
const IN_FLIGHT = [1, 50];
/** The API's own pool is 20 connections; fan-out on read gets as many, not one per request. */
const SQL_POOL = 20;

/**
 * Fan-out on read, in SQL: the newest posts of everyone the reader follows (and their own), with
 * their authors, one index range per followee. The same query shape the service uses to rebuild a
 * timeline, so the baseline is the best PostgreSQL can do, not a strawman.
 */
const HOME_BY_SQL = `
  SELECT p.id, p.text, p.created_at, u.id AS author_id, u.username, u.display_name
  FROM (SELECT followee_id AS author_id FROM follows WHERE follower_id = $1 UNION ALL SELECT $1::bigint) a
  CROSS JOIN LATERAL (
    SELECT id, text, created_at, author_id FROM posts
    WHERE author_id = a.author_id AND deleted_at IS NULL ORDER BY id DESC LIMIT $2
  ) p
  JOIN users u ON u.id = p.author_id
  ORDER BY p.id DESC LIMIT $2`;

/**
 * A home timeline page of 50 hydrated posts, three ways, at 1 and 50 requests in flight: our
 * GET /timelines/home over HTTP (autocannon), the same page read straight from Redis by the
 * fastest client code (the ceiling for any service on this machine), and fan-out on read in SQL.
 * Readers are the live-feed clients, taken in turn.
 */
export async function runReads(ctx: RunContext): Promise<ReadsResult> {
  const readers = ctx.graph.clients;
  const tokens = readers.map((user) => ctx.token(user));
  const seconds = ctx.options.readSeconds;
  ctx.progress.start('reads: warm-up', readers.length);
  // Every reader once: marks them active and fills the post cache, as a day of reading would. Two
  // pages' worth, so the raw read (home set only, no big-account merge) finds its posts cached too.
  let warmed = 0;
  let short = 0;
  await mapLimit(tokens, 16, async (token) => {
    const res = await ctx.api.get<{ items: unknown[] }>(`/timelines/home?limit=${2 * LIMIT}`, token);
    if (res.status !== 200) throw new Error(`GET /timelines/home answered ${res.status}`);
    if (res.body.items.length < LIMIT) short++;
    ctx.progress.update(++warmed);
  });
  ctx.progress.finish(short ? `${short} timelines had fewer than ${LIMIT} posts` : `${readers.length} readers`);

  const result: ReadsResult = { readers: readers.length, limit: LIMIT, seconds, http: {}, rawRedis: {}, sql: {} };
  for (const inFlight of IN_FLIGHT) {
    ctx.progress.start(`reads: HTTP, ${inFlight} in flight`);
    result.http[inFlight] = await overHttp(ctx.apiUrl, tokens, inFlight, seconds);
    ctx.progress.finish(`${result.http[inFlight].perSec} req/s`);
  }
  const redis = new Redis(ctx.redis.options);
  try {
    for (const inFlight of IN_FLIGHT) {
      ctx.progress.start(`reads: raw Redis, ${inFlight} in flight`);
      let i = 0;
      result.rawRedis[inFlight] = await closedLoop(inFlight, seconds, async () => {
        const ids = await redis.zrange(ctx.keys.home(readers[i++ % readers.length].id), '+inf', '(0', 'BYSCORE', 'REV', 'LIMIT', 0, LIMIT);
        const pipeline = redis.pipeline();
        for (const id of ids) pipeline.get(ctx.keys.post(id));
        const posts = (await pipeline.exec()) ?? [];
        if (posts.some(([err]) => err)) throw new Error('a post cache read failed');
      });
      ctx.progress.finish(`${result.rawRedis[inFlight].perSec} reads/s`);
    }
  } finally {
    redis.disconnect();
  }
  const pool = new Pool({ connectionString: ctx.databaseUrl, max: SQL_POOL });
  try {
    for (const inFlight of IN_FLIGHT) {
      ctx.progress.start(`reads: SQL fan-out on read, ${inFlight}`);
      let i = 0;
      result.sql[inFlight] = await closedLoop(inFlight, seconds, async () => {
        const { rows } = await pool.query(HOME_BY_SQL, [readers[i++ % readers.length].id, LIMIT]);
        if (rows.length === 0) throw new Error('fan-out on read found no posts');
      });
      ctx.progress.finish(`${result.sql[inFlight].perSec} queries/s`);
    }
  } finally {
    await pool.end();
  }
  return result;
}

async function overHttp(url: string, tokens: string[], connections: number, seconds: number): Promise<Throughput> {
  let i = 0;
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    requests: [
      {
        method: 'GET',
        path: `/timelines/home?limit=${LIMIT}`,
        setupRequest: (request) => ({ ...request, headers: { ...request.headers, authorization: `Bearer ${tokens[i++ % tokens.length]}` } }),
      },
    ],
  });
  return {
    perSec: Math.round(result.requests.total / result.duration),
    latencyMs: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
    errors: result.errors + result.non2xx,
  };
}

/** `inFlight` loops that each start the next operation as soon as the last one ended, for `seconds`. */
async function closedLoop(inFlight: number, seconds: number, op: () => Promise<void>): Promise<Throughput> {
  const latencies: number[] = [];
  let errors = 0;
  let firstError: unknown;
  const started = performance.now();
  const until = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (performance.now() < until) {
        const t = performance.now();
        try {
          await op();
          latencies.push(performance.now() - t);
        } catch (err) {
          errors++;
          firstError ??= err;
        }
      }
    }),
  );
  if (errors > 0 && latencies.length === 0) throw firstError;
  const elapsed = (performance.now() - started) / 1000;
  const s = summarize(latencies);
  return { perSec: Math.round(latencies.length / elapsed), latencyMs: { p50: s.p50, p99: s.p99, max: s.max }, errors };
}
