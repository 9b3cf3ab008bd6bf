import type { ConnectionOptions } from 'bullmq';
import Redis, { Cluster, ClusterOptions, RedisOptions } from 'ioredis';
import { AppConfig, RedisNode } from '../config/app-config';
import { quitQuietly, RedisClient, redisDb, redisOptions } from './redis-client';

/** How long a cluster client waits between attempts to find any seed node again. */
const CLUSTER_RETRY_MAX_MS = 2_000;

/**
 * Makes every Redis connection of the service, from either setting: one Redis at REDIS_URL, or a
 * Redis Cluster from the seed nodes of REDIS_CLUSTER_NODES. Callers say what the connection is for
 * (its name and options); the factory decides which client that is, so no other file knows which
 * of the two the deployment runs on.
 */
export class RedisFactory {
  private sharedQueueClient?: Cluster;

  constructor(private readonly config: Pick<AppConfig, 'redisUrl' | 'redisClusterNodes'> & Partial<Pick<AppConfig, 'queueRedisUrl'>>) {}

  get isCluster(): boolean {
    return this.config.redisClusterNodes !== null;
  }

  /** The database our keys live in: REDIS_URL's number, 0 on a cluster (a cluster has no other). */
  get db(): number {
    return this.isCluster ? 0 : redisDb(this.config.redisUrl);
  }

  /** Where the service runs, for logs: the URL without its password, or the seed nodes. */
  describe(): string {
    if (this.config.redisClusterNodes) return `cluster ${this.config.redisClusterNodes.map(nodeKey).join(',')}`;
    const url = new URL(this.config.redisUrl);
    url.password = '';
    return url.toString();
  }

  /**
   * BullMQ's connection: QUEUE_REDIS_URL when set, else the service's Redis. On one Redis,
   * options, so that every queue and worker opens its own connections as before. On a cluster,
   * BullMQ takes only a client: one shared cluster client (closed by RedisModule after the
   * queues), which each worker duplicates for its blocking reads.
   * BullMQ needs every key of a queue in one slot: RedisKeys.queuePrefix() is a hash tag.
   */
  queueConnection(): ConnectionOptions {
    // QUEUE_REDIS_URL: the queues on a Redis of their own (noeviction), apart from the timelines.
    if (this.config.queueRedisUrl) return { url: this.config.queueRedisUrl, connectTimeout: 5_000, maxRetriesPerRequest: null };
    if (!this.config.redisClusterNodes) {
      return { url: this.config.redisUrl, connectTimeout: 5_000, maxRetriesPerRequest: null };
    }
    this.sharedQueueClient ??= this.create('feed-queue', {
      maxRetriesPerRequest: null,
      enableOfflineQueue: true,
      commandTimeout: undefined,
    }) as unknown as Cluster;
    return this.sharedQueueClient;
  }

  /** Clients this factory shares and so must close itself. */
  async close(): Promise<void> {
    if (this.sharedQueueClient) await quitQuietly(this.sharedQueueClient as unknown as RedisClient);
  }

  /** A connection named `name` (CLIENT LIST shows it), with redisOptions() and the overrides. */
  create(name: string, overrides: RedisOptions = {}): RedisClient {
    const options = redisOptions({ connectionName: name, ...overrides });
    const nodes = this.config.redisClusterNodes;
    if (!nodes) return new Redis(this.config.redisUrl, options);
    return new Cluster(nodes, clusterOptions(options));
  }
}

/**
 * Cluster-wide settings from the per-connection ones. The offline queue and lazy connect are the
 * cluster client's own (a command sent while it finds the slots again fails fast, as on one
 * Redis); the rest applies to each node's connection. Reads go to masters: a timeline just written
 * must be read back as written.
 */
function clusterOptions(options: RedisOptions): ClusterOptions {
  const { lazyConnect, enableOfflineQueue, enableAutoPipelining, retryStrategy, ...perNode } = options;
  void retryStrategy; // each node is reconnected by the cluster client, which refreshes the slots
  return {
    lazyConnect,
    enableOfflineQueue,
    enableAutoPipelining,
    redisOptions: perNode,
    scaleReads: 'master',
    clusterRetryStrategy: (attempt) => Math.min(attempt * 200, CLUSTER_RETRY_MAX_MS),
    slotsRefreshTimeout: 2_000,
    // A down master's slots answer CLUSTERDOWN once the others notice; a few quick retries ride out
    // a failover, then the error reaches the caller (a 503) instead of a request that hangs.
    retryDelayOnClusterDown: 200,
    // The slot map is otherwise read again only on a redirection that ioredis follows itself;
    // a master back from a restart must be found even by a client that saw no such redirection.
    slotsRefreshInterval: 5_000,
    retryDelayOnFailover: 200,
    maxRedirections: 8,
  };
}

function nodeKey(node: RedisNode): string {
  return node.host.includes(':') ? `[${node.host}]:${node.port}` : `${node.host}:${node.port}`;
}
