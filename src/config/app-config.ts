import { Logger } from '@nestjs/common';
import { QueueName } from '../jobs/job-catalogue';
import { ConfigError } from './config-error';
import { corsOrigins } from './http-config';
import { DEV_JWT_SECRET, jwtExpiresInSec, jwtSecret, MIN_PRODUCTION_SECRET_BYTES } from './jwt-config';
import { RateLimitKind, RateLimitRule, rateLimitRule, TrustProxy, trustProxy } from './limits-config';

export { ConfigError } from './config-error';
export type { RateLimitKind, RateLimitRule, TrustProxy } from './limits-config';

export type Role = 'all' | 'api' | 'worker';

export interface RedisNode {
  host: string;
  port: number;
}

/** The validated configuration; injected by this class as its token. */
export abstract class AppConfig {
  readonly nodeEnv: string;
  readonly port: number;
  readonly host: string;
  readonly role: Role;
  readonly databaseUrl: string;
  /** PostgreSQL's statement_timeout for the service's connections; a statement cut by it answers 503. */
  readonly databaseStatementTimeoutMs: number;
  readonly redisUrl: string;
  /**
   * Seed nodes of a Redis Cluster (REDIS_CLUSTER_NODES). When set, every Redis connection is a
   * cluster client (see RedisFactory) and redisUrl is not used.
   */
  readonly redisClusterNodes: RedisNode[] | null;
  /**
   * A Redis of their own for the BullMQ queues (QUEUE_REDIS_URL), so the timelines' Redis may evict
   * (maxmemory-policy) while the queues' never does; null keeps the queues with everything else.
   */
  readonly queueRedisUrl: string | null;
  /** Prefix of every Redis key we own, so several deployments (or test runs) can share one Redis. */
  readonly redisKeyPrefix: string;
  readonly jwtSecret: string;
  /** Lifetime of an access token, in seconds. */
  readonly jwtExpiresInSec: number;
  readonly timelineMaxLength: number;
  readonly fanoutCelebrityThreshold: number;
  readonly fanoutBatchSize: number;
  /**
   * Rule 2: how many of a home timeline's newest entries are searched for the same original before
   * a repost is added (0: no dedup).
   */
  readonly repostDedupWindow: number;
  /**
   * Benchmark switch, never for production: `off` lets every post reach every follower (FeedFilter
   * loads no relations), so `npm run load` can measure what the rules cost in the same run.
   */
  readonly feedRules: 'on' | 'off';
  /**
   * Followers per chunk job: a big fan-out is cut into chunks that several workers share.
   * 2,500 by default: small enough that a 10,000-follower post is shared by four workers.
   */
  readonly fanoutChunkSize: number;
  readonly fanoutConcurrency: number;
  /**
   * The queues this process's workers take jobs from (WORKER_QUEUES, default all). Two worker
   * processes, one for `fanout-bulk` and one for the rest, give small fan-outs a lane that big ones
   * cannot fill: their own event loop and connections.
   */
  readonly workerQueues: readonly QueueName[];
  readonly fanoutInactiveDays: number;
  /** `inline` writes every follower inside POST /posts: a baseline for benchmarks, never for production. */
  readonly fanoutMode: 'queue' | 'inline';
  /** Pending outbox rows older than this are re-enqueued by the relay. */
  readonly outboxRelayAfterMs: number;
  readonly outboxRelayIntervalMs: number;
  /** Times the relay enqueues one outbox row's work again before the row is dead-lettered. */
  readonly outboxMaxAttempts: number;
  /**
   * Days finished bookkeeping (done outbox rows and fan-out records, dead letters) and soft-deleted
   * posts are kept before the retention job removes them.
   */
  readonly retentionDays: number;
  /** How often the retention job runs (on one worker). */
  readonly retentionIntervalMs: number;
  readonly bodyLimitBytes: number;
  readonly shutdownTimeoutMs: number;
  readonly logLevel: 'debug' | 'log' | 'warn' | 'error';
  /** When set, /metrics is also served on this port, by every role (a worker has no other HTTP port). */
  readonly metricsPort: number | null;
  /** When set, the queue dashboard at /admin/queues answers to this token; when unset, it is a 404. */
  readonly adminToken: string | null;
  /** Requests per window for each kind of rate limit; null when that limit is off. */
  readonly rateLimits: Readonly<Record<RateLimitKind, RateLimitRule | null>>;
  /** Open /feed sockets per user, counted across every API node. */
  readonly liveMaxSockets: number;
  /** Whether (and which) proxies' X-Forwarded-For names the client address. */
  readonly trustProxy: TrustProxy;
  /** Origins allowed cross-origin access, to REST (CORS) and to Socket.IO (its Origin check); empty: none. */
  readonly corsOrigins: string[];
  /** Longest time a client may take to send a whole request (headers and body): a slow sender is cut off. */
  readonly requestTimeoutMs: number;
  /** An HTTP connection with no traffic for this long is closed. */
  readonly connectionTimeoutMs: number;
  /** How long an idle keep-alive connection is kept open between requests. */
  readonly keepAliveTimeoutMs: number;
}

/** Shorter admin tokens are accepted (the contract sets no minimum) but warned about. */
const ADMIN_TOKEN_ADVISED_LENGTH = 16;

type Env = Record<string, string | undefined>;

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^-?\d+$/.test(raw.trim())) {
    throw new ConfigError(`${name} must be an integer, got "${raw}"`);
  }
  const value = Number(raw);
  if (value < min || value > max) {
    throw new ConfigError(`${name} must be between ${min} and ${max}, got ${value}`);
  }
  return value;
}

function url(env: Env, name: string, fallback: string, protocols: string[]): string {
  const raw = env[name] || fallback;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(`${name} is not a valid URL: "${raw}"`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(`${name} must start with ${protocols.join(' or ')}//, got "${raw}"`);
  }
  return raw;
}

function redisUrl(env: Env, name = 'REDIS_URL'): string {
  const value = url(env, name, 'redis://127.0.0.1:6379', ['redis:', 'rediss:']);
  if (!/^\/?(\d{1,5})?$/.test(new URL(value).pathname)) {
    throw new ConfigError(`${name} may end only in a database number (/N), got "${value}"`);
  }
  return value;
}

/** `host:port,host:port,...`; an IPv6 host goes in brackets (`[::1]:7000`). */
function redisClusterNodes(env: Env): RedisNode[] | null {
  const raw = env.REDIS_CLUSTER_NODES?.trim();
  if (!raw) return null;
  return raw.split(',').map((entry) => {
    const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(entry.trim());
    const port = match ? Number(match[3]) : 0;
    if (!match || port < 1 || port > 65535) {
      throw new ConfigError(`REDIS_CLUSTER_NODES must be host:port,host:port,..., got "${entry.trim()}" in "${raw}"`);
    }
    return { host: match[1] ?? match[2], port };
  });
}

/** A comma-separated subset of `values`, all of them when unset; never empty. */
function listOf<T extends string>(env: Env, name: string, values: readonly T[]): T[] {
  const raw = env[name]?.trim();
  if (!raw) return [...values];
  const picked = raw.split(',').map((entry) => entry.trim() as T);
  const unknown = picked.filter((entry) => !values.includes(entry));
  if (unknown.length > 0 || picked.length === 0) {
    throw new ConfigError(`${name} must list some of ${values.join(', ')} (comma-separated), got "${raw}"`);
  }
  return [...new Set(picked)];
}

function oneOf<T extends string>(env: Env, name: string, fallback: T, values: readonly T[]): T {
  const raw = (env[name] || fallback) as T;
  if (!values.includes(raw)) {
    throw new ConfigError(`${name} must be one of ${values.join(', ')}, got "${raw}"`);
  }
  return raw;
}

function adminToken(env: Env): string | null {
  const raw = env.ADMIN_TOKEN;
  if (!raw) return null;
  // It travels in an Authorization header: printable ASCII without spaces.
  if (!/^[\x21-\x7e]+$/.test(raw) || raw.length > 256) {
    throw new ConfigError('ADMIN_TOKEN must be 1 to 256 printable ASCII characters without spaces');
  }
  return raw;
}

/** Reads and validates the environment once; nothing else in the code base reads process.env. */
export function loadConfig(env: Env = process.env): AppConfig {
  const nodeEnv = env.NODE_ENV || 'development';
  const redisKeyPrefix = env.REDIS_KEY_PREFIX ?? 'feed:';
  if (!/^[A-Za-z0-9:_-]{0,40}$/.test(redisKeyPrefix)) {
    throw new ConfigError(`REDIS_KEY_PREFIX may hold only letters, digits, ':', '_' and '-', got "${redisKeyPrefix}"`);
  }
  const fanoutBatchSize = int(env, 'FANOUT_BATCH_SIZE', 1000, 1, 100_000);
  return {
    nodeEnv,
    port: int(env, 'PORT', 3000, 0, 65535),
    host: env.HOST || '0.0.0.0',
    role: oneOf(env, 'ROLE', 'all', ['all', 'api', 'worker'] as const),
    databaseUrl: url(env, 'DATABASE_URL', 'postgres://postgres@127.0.0.1:5432/feed', ['postgres:', 'postgresql:']),
    databaseStatementTimeoutMs: int(env, 'DATABASE_STATEMENT_TIMEOUT_MS', 15_000, 100, 600_000),
    redisUrl: redisUrl(env),
    redisClusterNodes: redisClusterNodes(env),
    queueRedisUrl: env.QUEUE_REDIS_URL ? redisUrl(env, 'QUEUE_REDIS_URL') : null,
    redisKeyPrefix,
    jwtSecret: jwtSecret(env, nodeEnv),
    jwtExpiresInSec: jwtExpiresInSec(env),
    timelineMaxLength: int(env, 'TIMELINE_MAX_LENGTH', 800, 1, 100_000),
    fanoutCelebrityThreshold: int(env, 'FANOUT_CELEBRITY_THRESHOLD', 10_000, 0, Number.MAX_SAFE_INTEGER),
    fanoutBatchSize,
    repostDedupWindow: int(env, 'REPOST_DEDUP_WINDOW', 40, 0, 10_000),
    feedRules: oneOf(env, 'FEED_RULES', 'on', ['on', 'off'] as const),
    fanoutChunkSize: int(env, 'FANOUT_CHUNK_SIZE', Math.max(fanoutBatchSize, 2_500), fanoutBatchSize, 10_000_000),
    fanoutConcurrency: int(env, 'FANOUT_CONCURRENCY', 4, 1, 256),
    workerQueues: listOf(env, 'WORKER_QUEUES', Object.values(QueueName)),
    fanoutInactiveDays: int(env, 'FANOUT_INACTIVE_DAYS', 30, 1, 3650),
    fanoutMode: oneOf(env, 'FANOUT_MODE', 'queue', ['queue', 'inline'] as const),
    outboxRelayAfterMs: int(env, 'OUTBOX_RELAY_AFTER_MS', 30_000, 100, 86_400_000),
    outboxRelayIntervalMs: int(env, 'OUTBOX_RELAY_INTERVAL_MS', 5_000, 50, 3_600_000),
    outboxMaxAttempts: int(env, 'OUTBOX_MAX_ATTEMPTS', 5, 1, 1_000),
    retentionDays: int(env, 'RETENTION_DAYS', 7, 1, 3650),
    retentionIntervalMs: int(env, 'RETENTION_INTERVAL_MS', 3_600_000, 1_000, 7 * 86_400_000),
    bodyLimitBytes: int(env, 'BODY_LIMIT_BYTES', 16 * 1024, 1024, 10 * 1024 * 1024),
    shutdownTimeoutMs: int(env, 'SHUTDOWN_TIMEOUT_MS', 25_000, 1000, 600_000),
    logLevel: oneOf(env, 'LOG_LEVEL', 'log', ['debug', 'log', 'warn', 'error'] as const),
    metricsPort: env.METRICS_PORT ? int(env, 'METRICS_PORT', 0, 0, 65535) : null,
    adminToken: adminToken(env),
    rateLimits: {
      login: rateLimitRule(env, 'RATE_LIMIT_LOGIN', '10/15m'),
      register: rateLimitRule(env, 'RATE_LIMIT_REGISTER', '20/1h'),
      write: rateLimitRule(env, 'RATE_LIMIT_WRITE', '300/15m'),
      read: rateLimitRule(env, 'RATE_LIMIT_READ', '1500/15m'),
    },
    liveMaxSockets: int(env, 'LIVE_MAX_SOCKETS', 10, 1, 100_000),
    trustProxy: trustProxy(env),
    corsOrigins: corsOrigins(env),
    requestTimeoutMs: int(env, 'REQUEST_TIMEOUT_MS', 30_000, 1_000, 600_000),
    // Above Socket.IO's ping interval (25 s): a long-polling request is quiet that long.
    connectionTimeoutMs: int(env, 'CONNECTION_TIMEOUT_MS', 60_000, 30_000, 3_600_000),
    keepAliveTimeoutMs: int(env, 'KEEP_ALIVE_TIMEOUT_MS', 5_000, 1_000, 600_000),
  };
}

export function warnAboutDefaults(config: AppConfig, logger = new Logger('Config')): void {
  if (config.jwtSecret === DEV_JWT_SECRET) {
    logger.warn('JWT_SECRET is not set: using a development secret. Set JWT_SECRET before exposing this service.');
  } else if (Buffer.byteLength(config.jwtSecret, 'utf8') < MIN_PRODUCTION_SECRET_BYTES) {
    logger.warn(`JWT_SECRET is shorter than ${MIN_PRODUCTION_SECRET_BYTES} bytes: NODE_ENV=production refuses it.`);
  }
  if (config.adminToken !== null && config.adminToken.length < ADMIN_TOKEN_ADVISED_LENGTH) {
    logger.warn(`ADMIN_TOKEN is shorter than ${ADMIN_TOKEN_ADVISED_LENGTH} characters: anyone who guesses it can manage the queues.`);
  }
}
