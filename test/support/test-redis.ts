import Redis, { Cluster } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { LocalRedisCluster } from '../../bench/local-redis-cluster';
import { RedisDbClaim } from '../../bench/redis-db-claim';
import { RedisClient } from '../../src/redis/redis-client';
import { RedisKeys } from '../../src/redis/redis-keys';
import { RedisMonitor } from './redis-monitor';
import { TEST_REDIS_SERVER } from './servers';
import { TcpProxy } from './tcp-proxy';

export type RedisMode = 'single' | 'cluster';

/** A client on the test's Redis (one server or the cluster), with the keys the apps of the test use. */
export type TestRedis = RedisClient & { keys: RedisKeys };

/** Takes Redis away from an app of the test, and gives it back. */
export interface RedisOutage {
  /** Settings for an app that must lose Redis on cut() (others may keep theirs). */
  overrides: Record<string, string>;
  cut(): Promise<void>;
  restore(): Promise<void>;
  /** After the app has closed. */
  end(): Promise<void>;
}

/**
 * The Jest project says which Redis the e2e tests run on (jest.config.js: `e2e` one Redis,
 * `e2e-cluster` the local cluster that test/support/cluster-global-setup.ts started).
 */
export function redisMode(): RedisMode {
  return (globalThis as { TEST_REDIS_MODE?: RedisMode }).TEST_REDIS_MODE ?? 'single';
}

/** A test file's share of Redis: what its apps are given, what its own clients see, what close() removes. */
export abstract class TestRedisTarget {
  abstract readonly mode: RedisMode;
  abstract readonly keys: RedisKeys;
  /** The local cluster the keys live on, or null on one Redis. */
  abstract readonly cluster: LocalRedisCluster | null;
  /** REDIS_URL or REDIS_CLUSTER_NODES, and the key prefix. */
  abstract env(): Record<string, string>;
  protected abstract connect(): RedisClient;
  /** Removes everything the test's apps keep in Redis (timelines, caches, queues): a flush of its share. */
  abstract flush(): Promise<void>;
  abstract outage(): Promise<RedisOutage>;
  abstract release(): Promise<void>;
  /** The commands run on this target's keys from now on (see RedisMonitor). */
  abstract monitor(): Promise<RedisMonitor>;

  static async create(): Promise<TestRedisTarget> {
    return redisMode() === 'cluster' ? ClusterTarget.create() : SingleTarget.create();
  }

  client(): TestRedis {
    return Object.assign(this.connect(), { keys: this.keys });
  }
}

/** A Redis database of its own (1-15) on the shared server, claimed for the test file. */
class SingleTarget extends TestRedisTarget {
  readonly mode = 'single';
  readonly keys: RedisKeys;
  readonly cluster = null;

  private constructor(private readonly claim: RedisDbClaim) {
    super();
    this.keys = new RedisKeys('feed:', claim.db);
  }

  static async create(): Promise<SingleTarget> {
    return new SingleTarget(await RedisDbClaim.take(TEST_REDIS_SERVER));
  }

  env(): Record<string, string> {
    return { REDIS_URL: this.claim.url, REDIS_KEY_PREFIX: this.keys.prefix };
  }

  protected connect(): RedisClient {
    return new Redis(this.claim.url, { maxRetriesPerRequest: 1 });
  }

  flush(): Promise<void> {
    return this.claim.flush();
  }

  /** A TCP proxy in front of the server, for the app given `overrides`; cut() drops it. */
  async outage(): Promise<RedisOutage> {
    const url = new URL(this.claim.url);
    const proxy = new TcpProxy(Number(url.port || 6379), url.hostname);
    await proxy.start();
    return {
      overrides: { REDIS_URL: `redis://127.0.0.1:${proxy.port}${url.pathname}` },
      cut: () => proxy.cut(),
      restore: () => proxy.start(),
      end: () => proxy.stop(),
    };
  }

  release(): Promise<void> {
    return this.claim.release();
  }

  monitor(): Promise<RedisMonitor> {
    return RedisMonitor.start([this.claim.url], this.keys.prefix, (_args, database) => database === this.claim.db);
  }
}

/**
 * A key prefix of its own on the run's local cluster (a cluster has only database 0): the apps'
 * keys, queues and Socket.IO channels all carry it.
 */
class ClusterTarget extends TestRedisTarget {
  readonly mode = 'cluster';
  readonly keys: RedisKeys;

  private constructor(readonly cluster: LocalRedisCluster) {
    super();
    this.keys = new RedisKeys(`feed:${randomBytes(4).toString('hex')}:`);
  }

  static async create(): Promise<ClusterTarget> {
    const dir = process.env.TEST_REDIS_CLUSTER_DIR;
    if (!dir) throw new Error('no local Redis Cluster: the e2e-cluster project starts one in its global setup');
    return new ClusterTarget(LocalRedisCluster.attach(dir));
  }

  env(): Record<string, string> {
    return { REDIS_CLUSTER_NODES: this.cluster.setting, REDIS_KEY_PREFIX: this.keys.prefix };
  }

  protected connect(): RedisClient {
    return new Cluster(this.cluster.nodes, { redisOptions: { maxRetriesPerRequest: 1 } });
  }

  flush(): Promise<void> {
    return this.cluster.deleteMatching(this.keys.prefix);
  }

  /**
   * Every master suspended (SIGSTOP): connections stay open and nothing answers, so every app of
   * the test loses Redis, which is what the tests of an outage need of the one app they watch.
   */
  async outage(): Promise<RedisOutage> {
    return {
      overrides: {},
      cut: async () => this.cluster.pause(),
      restore: () => this.cluster.resume(),
      end: async () => undefined,
    };
  }

  release(): Promise<void> {
    return this.flush();
  }

  monitor(): Promise<RedisMonitor> {
    const prefix = this.keys.prefix;
    const urls = this.cluster.nodes.map((node) => `redis://${node.host}:${node.port}`);
    return RedisMonitor.start(urls, prefix, (args) => args.some((arg) => arg.includes(prefix)));
  }
}
