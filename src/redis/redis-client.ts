import Redis, { RedisOptions } from 'ioredis';

/**
 * The shared Redis connection for timelines, caches and presence. Commands fail fast when Redis
 * is away (no offline queue, a command timeout) so a request answers 503 instead of hanging.
 */
export class RedisClient extends Redis {}

/**
 * A second connection, for the large pipelined writes of a fan-out. Redis serves its connections
 * in turn, a slice of each at a time, while the commands of one connection wait behind everything
 * sent on it before: on a shared connection, a small post's few commands queued behind a big
 * fan-out's thousands of timeline writes (a 10-follower fan-out took seconds during a
 * 100,000-follower one in npm run load).
 */
export class BulkRedisClient extends RedisClient {}

export function redisOptions(overrides: RedisOptions = {}): RedisOptions {
  return {
    connectTimeout: 5_000,
    commandTimeout: 5_000,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    ...overrides,
  };
}

/** Quits a client unless it is already closed (Nest may have closed adapter clients first). */
export async function quitQuietly(client: Redis): Promise<void> {
  if (client.status === 'end') return;
  try {
    await client.quit();
  } catch {
    client.disconnect();
  }
}

/** The database number of a redis:// URL (`/N`), 0 when absent. */
export function redisDb(redisUrl: string): number {
  const db = new URL(redisUrl).pathname.replace(/^\//, '');
  return db ? Number(db) : 0;
}
