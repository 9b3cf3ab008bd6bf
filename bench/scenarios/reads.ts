import autocannon from 'autocannon';
import Redis from 'ioredis';
import { Pool } from 'pg';
import { closedLoop } from '../closed-loop';
import { ReadsResult, Throughput } from '../results';
import { mapLimit, RunContext } from './context';
import { HOME_BY_SQL, NO_CURSOR } from './home-sql';

const LIMIT = 50;
const IN_FLIGHT = [1, 50];
/** The API's own pool is 20 connections; fan-out on read gets as many, not one per request. */
const SQL_POOL = 20;

/**
 * A home timeline page of 50 hydrated posts, three ways, at 1 and 50 requests in flight: our
 * GET /timelines/home over HTTP (autocannon), the same page read straight from Redis by the
 * fastest client code (one LRANGE, one MGET: the ceiling for any service on this machine; and the
 * GET per post of earlier runs, to compare with them), and fan-out on read in SQL. Readers are the
 * live-feed clients, taken in turn.
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

  const httpCpuUs: NonNullable<ReadsResult['httpCpuUs']> = {};
  const result: ReadsResult = { readers: readers.length, limit: LIMIT, seconds, http: {}, httpCpuUs, rawRedis: {}, sql: {} };
  for (const inFlight of IN_FLIGHT) {
    ctx.progress.start(`reads: HTTP, ${inFlight} in flight`);
    const cpu = ctx.cpu.start();
    const http = (result.http[inFlight] = await overHttp(ctx.apiUrl, tokens, inFlight, seconds));
    const used = cpu();
    const pages = http.perSec * used.wall;
    const perPage = (cpuSeconds: number | undefined) => (pages > 0 ? Math.round((1e6 * (cpuSeconds ?? 0)) / pages) : 0);
    httpCpuUs[inFlight] = { api: perPage(used.api), redis: perPage(used.redis) };
    ctx.progress.finish(`${http.perSec} req/s, ${httpCpuUs[inFlight].api} µs of API CPU a page`);
  }
  const redis = new Redis(ctx.redis.options);
  try {
    let i = 0;
    const idsOfNext = async () => (await redis.lrange(ctx.keys.home(readers[i++ % readers.length].id), 0, LIMIT - 1)).filter((id) => Number(id) > 0);
    for (const inFlight of IN_FLIGHT) {
      ctx.progress.start(`reads: raw Redis, ${inFlight} in flight`);
      result.rawRedis[inFlight] = await closedLoop(inFlight, seconds, async () => {
        const ids = await idsOfNext();
        if (ids.length > 0) await redis.mget(ids.map((id) => ctx.keys.post(id)));
      });
      ctx.progress.finish(`${result.rawRedis[inFlight].perSec} reads/s`);
    }
    result.rawRedisGets = {};
    for (const inFlight of IN_FLIGHT) {
      ctx.progress.start(`reads: raw Redis, a GET per post, ${inFlight} in flight`);
      result.rawRedisGets[inFlight] = await closedLoop(inFlight, seconds, async () => {
        const pipeline = redis.pipeline();
        for (const id of await idsOfNext()) pipeline.get(ctx.keys.post(id));
        const posts = (await pipeline.exec()) ?? [];
        if (posts.some(([err]) => err)) throw new Error('a post cache read failed');
      });
      ctx.progress.finish(`${result.rawRedisGets[inFlight].perSec} reads/s`);
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
        const { rows } = await pool.query(HOME_BY_SQL, [readers[i++ % readers.length].id, NO_CURSOR, LIMIT]);
        if (rows.length === 0) throw new Error('fan-out on read found no posts');
      });
      ctx.progress.finish(`${result.sql[inFlight].perSec} queries/s`);
    }
  } finally {
    await pool.end();
  }
  return result;
}

export async function overHttp(url: string, tokens: string[], connections: number, seconds: number): Promise<Throughput> {
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
