import Redis from 'ioredis';
import { Client } from 'pg';
import { RedisKeys } from '../src/redis/redis-keys';

const BATCH = 1_000;
const IN_FLIGHT = 4;

export interface Prefill {
  timelines: number;
  entriesPerTimeline: number;
  /** used_memory after − before, over the entries written: what a timeline entry costs, keys included. */
  bytesPerEntry: number;
  ms: number;
}

/**
 * Brings every timeline to steady state (full: TIMELINE_MAX_LENGTH entries), so fan-out pays the
 * real cost of adding to a full list and trimming it. One timeline is built with RPUSH and copied
 * to every owner with COPY, server-side: writing 800 entries per key would take minutes for 100,000
 * users. All timelines hold the newest seeded posts: fan-out cost depends on the size of a
 * timeline, not on its ids.
 */
export async function prefillTimelines(redis: Redis, sql: Client, keys: RedisKeys, owners: string[], max: number): Promise<Prefill> {
  const started = Date.now();
  const ids = (await sql.query<{ id: string }>('SELECT id FROM posts ORDER BY id DESC LIMIT $1', [max])).rows.map((r) => r.id);
  const template = `${keys.prefix}bench:template`;
  await redis.del(template);
  if (ids.length > 0) await redis.rpush(template, ...ids);

  const before = await usedMemory(redis);
  let next = 0;
  const worker = async () => {
    while (next < owners.length) {
      const slice = owners.slice(next, next + BATCH);
      next += BATCH;
      const pipeline = redis.pipeline();
      for (const owner of slice) pipeline.copy(template, keys.home(owner), 'REPLACE');
      for (const [err] of (await pipeline.exec()) ?? []) if (err) throw err;
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  const after = await usedMemory(redis);
  await redis.del(template);
  const entries = owners.length * ids.length;
  return {
    timelines: owners.length,
    entriesPerTimeline: ids.length,
    bytesPerEntry: entries > 0 ? Math.round(((after - before) / entries) * 10) / 10 : 0,
    ms: Date.now() - started,
  };
}

export async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)![1]);
}
