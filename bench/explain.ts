import { Client } from 'pg';
import { Database } from '../src/database/database';
import { FollowsRepository } from '../src/graph/follows.repository';
import { FeedSourceRepository } from '../src/timelines/feed-source.repository';
import { PlanResult } from './results';

export interface Query {
  text: string;
  params: unknown[];
}

/**
 * The statement the service's FeedSourceRepository sends for this call, captured instead of run:
 * the plans below are those of the service's own SQL, not of a copy that could drift from it.
 */
export function serviceQuery(call: (source: FeedSourceRepository) => Promise<unknown>): Promise<Query> {
  return captureQuery((db) => new FeedSourceRepository(db), call);
}

/** The same, for the follow graph's SQL (src/graph). */
export function graphQuery(call: (follows: FollowsRepository) => Promise<unknown>): Promise<Query> {
  return captureQuery((db) => new FollowsRepository(db), call);
}

async function captureQuery<R>(make: (db: Database) => R, call: (repository: R) => Promise<unknown>): Promise<Query> {
  let captured: Query | undefined;
  const db = {
    rows: async (text: string, params: unknown[]) => {
      captured = { text, params };
      return [];
    },
  };
  await call(make(db as unknown as Database));
  if (!captured) throw new Error('the repository sent no query');
  return captured;
}

/** EXPLAIN (ANALYZE, BUFFERS) of a query, run twice so the figures are those of warm caches. */
export async function explain(sql: Client, name: string, query: Query): Promise<PlanResult> {
  await sql.query(query.text, query.params);
  const { rows } = await sql.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${query.text}`, query.params);
  const plan = rows.map((r) => r['QUERY PLAN']);
  const executionMs = Number(/Execution Time: ([\d.]+) ms/.exec(plan.join('\n'))?.[1] ?? NaN);
  return { name, executionMs, plan };
}
