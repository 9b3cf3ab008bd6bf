import type { ChainableCommander, RedisCommander, RedisOptions } from 'ioredis';
import type { EventEmitter } from 'node:events';

/**
 * The shared Redis connection for timelines, caches and presence: a plain ioredis client on one
 * Redis (REDIS_URL) or an ioredis Cluster client (REDIS_CLUSTER_NODES), made by RedisFactory.
 * Commands fail fast when Redis is away (no offline queue, a command timeout) so a request answers
 * 503 instead of hanging.
 *
 * The class is the injection token; the interface is what both clients offer. Batches of commands
 * on keys of many users go through RedisBatch, which a cluster can run; a pipeline or MULTI made
 * here must keep to keys of one hash tag.
 */
export abstract class RedisClient {}
export interface RedisClient extends RedisCommander, EventEmitter {
  readonly status: string;
  /** True on a cluster client (ioredis sets it). */
  readonly isCluster?: boolean;
  pipeline(commands?: unknown[][]): ChainableCommander;
  multi(): ChainableCommander;
  connect(): Promise<void>;
  quit(): Promise<'OK'>;
  disconnect(): void;
}

/**
 * A second connection, for the large pipelined writes of a fan-out. Redis serves its connections
 * in turn, a slice of each at a time, while the commands of one connection wait behind everything
 * sent on it before: on a shared connection, a small post's few commands queued behind a big
 * fan-out's thousands of timeline writes (a 10-follower fan-out took seconds during a
 * 100,000-follower one in npm run load).
 */
export abstract class BulkRedisClient extends RedisClient {}

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

/** How long a QUIT may wait for its reply before the connection is simply dropped. */
const QUIT_TIMEOUT_MS = 2_000;

/**
 * Quits a client unless it is already closed (Nest may have closed adapter clients first). A
 * client that waits for Redis (offline queue, no command timeout) would wait for QUIT's reply
 * forever while Redis is away, so the wait is bounded: then the connection is dropped.
 */
export async function quitQuietly(client: RedisClient): Promise<void> {
  if (client.status === 'end') return;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      client.quit(),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('quit timed out')), QUIT_TIMEOUT_MS))),
    ]);
  } catch {
    client.disconnect();
  } finally {
    clearTimeout(timer);
  }
}

/** The database number of a redis:// URL (`/N`), 0 when absent. */
export function redisDb(redisUrl: string): number {
  const db = new URL(redisUrl).pathname.replace(/^\//, '');
  return db ? Number(db) : 0;
}
