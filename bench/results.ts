import { CpuUse } from './cpu';
import { Summary } from './stats';

/** The shapes of results.json: what every scenario measured, raw enough to recompute any figure. */

export interface PostRecord {
  id: string;
  createdAt: string;
  /** HTTP status of POST /posts. */
  status: number;
  /** POST /posts latency at the client, ms. */
  postMs: number;
  fanout: { state: string; followers: number; delivered: number; delayMs: number | null; startedAt: string | null; finishedAt: string | null } | null;
  pushes: { expected: number; received: number; duplicates: number; delaysMs: number[] } | null;
}

export type ClassKind = 'fanout' | 'big' | 'inline' | 'fairness-idle' | 'fairness-loaded';

export interface ClassResult {
  label: string;
  kind: ClassKind;
  followers: number;
  onlineFollowers: number;
  /** Posts a second asked for; null when posted one after another. */
  rate: number | null;
  posts: PostRecord[];
  summary: ClassSummary;
  /** CPU seconds per process over the class's run (posting to the last push). */
  cpu: CpuUse;
}

export interface ClassSummary {
  postMs: Summary;
  fanoutMs: Summary;
  pushMs: Summary;
  /** Follower timelines written a second while this class's fan-outs ran (busy time only). */
  deliveriesPerSec: number | null;
  allFinished: boolean;
  allPushed: boolean;
  duplicatePushes: number;
}

export interface Throughput {
  /** Requests (or operations) completed a second. */
  perSec: number;
  latencyMs: { p50: number | null; p99: number | null; max: number | null };
  errors: number;
}

export interface ReadsResult {
  readers: number;
  limit: number;
  seconds: number;
  /** GET /timelines/home over HTTP (autocannon), by requests in flight. */
  http: Record<string, Throughput>;
  /**
   * CPU per page served over HTTP, by requests in flight, in µs: of the API process and of Redis
   * (the whole server). Steadier than pages a second on a shared machine, for A/B runs of a change.
   */
  httpCpuUs?: Record<string, { api: number; redis: number }>;
  /** The same page straight from Redis: LRANGE of the list, then one MGET of its posts. */
  rawRedis: Record<string, Throughput>;
  /**
   * The raw read as runs before the third pass made it, one pipelined GET per post instead of the
   * MGET (4-5 times slower on this machine): kept beside the MGET so old ratios can be compared.
   */
  rawRedisGets?: Record<string, Throughput>;
  /** Fan-out on read: the page computed by one PostgreSQL query over follows and posts. */
  sql: Record<string, Throughput>;
}

/** One query's plan as PostgreSQL ran it: EXPLAIN (ANALYZE, BUFFERS), second of two runs. */
export interface PlanResult {
  name: string;
  executionMs: number;
  plan: string[];
}

export interface DeepReadsResult {
  /** Readers whose history runs several pages below the Redis window. */
  readers: number;
  /** Posts in those readers' histories (their own and their followees'). */
  historyPosts: { p50: number; max: number };
  limit: number;
  /** Pages a reader scrolls down per visit; the next visit goes on where the last stopped. */
  pagesPerVisit: number;
  seconds: number;
  /** GET /timelines/home with a cursor below the Redis window, over HTTP, by requests in flight. */
  http: Record<string, Throughput>;
  /** The same pages computed from scratch by one PostgreSQL query (fan-out on read), as the reads baseline. */
  sql: Record<string, Throughput>;
  /** The same, with the page's ids picked before any row is read: the stronger baseline. */
  sqlIdsFirst: Record<string, Throughput>;
  plans: PlanResult[];
}

export interface ReturningResult {
  /** Readers back after a long absence: their timeline dropped, their caches cold. */
  readers: number;
  /** Accounts each of them follows. */
  following: number;
  historyPosts: { p50: number; max: number };
  rounds: number;
  limit: number;
  /** Their first page, served from PostgreSQL while the timeline is rebuilt. */
  coldMs: Summary;
  /** The same first page once the rebuilt timeline is in Redis. */
  warmMs: Summary;
  /** The first request sent → the rebuilt timeline complete in Redis. */
  rebuildMs: Summary;
  plans: PlanResult[];
}

export interface RawWriteResult {
  timelines: number;
  cpu: CpuUse;
  /** The service's structure and script (PUSH), per run. */
  runs: { ms: number; perSec: number }[];
  /** Its fastest run: what this machine's Redis can do with the service's structure. */
  perSec: number;
  /** The same with a plain LPUSH + LTRIM: the fastest structure within the memory budget. */
  list: { runs: { ms: number; perSec: number }[]; perSec: number };
}

export interface MemoryResult {
  sampledTimelines: number;
  entriesPerTimeline: number;
  encoding: string;
  /** MEMORY USAGE of the sampled timelines over their entries. */
  bytesPerEntry: number;
  /** used_memory growth while the timelines were pre-filled, over the entries written. */
  prefillBytesPerEntry: number;
}

export interface FairnessResult {
  idle: ClassResult;
  loaded: ClassResult;
  /** The large fan-outs that ran meanwhile, and how many small posts were created while one ran. */
  background: { followers: number; posts: number; overlapping: number; firstCreatedAt: string | null; lastFinishedAt: string | null };
}

/** The feed rules' cost: the same work against an instance with them and one with FEED_RULES=off. */
export interface RulesResult {
  followers: number;
  /** Posts per side (two in ten replies, one a repost). */
  posts: number;
  /** Followers considered per second of inline POST. */
  deliveriesPerSec: { on: number; off: number };
  /** GET /timelines/home (50 posts) at 50 in flight. */
  homeReadsPerSec: { on: number; off: number };
  readErrors: number;
}

export interface TargetResult {
  name: string;
  target: string;
  measured: string;
  ratio: number | null;
  met: boolean | null;
}

export interface LoadResults {
  meta: {
    startedAt: string;
    finishedAt: string;
    seconds: number;
    machine: { cpus: number; cpuModel: string; memoryGb: number; node: string; redis: string; postgres: string };
    /** The run's own PostgreSQL database and Redis database number, both gone when the run ends. */
    database: string;
    redisDb: number;
    options: Record<string, unknown>;
    service: { threshold: number; env: Record<string, string> };
    /** Rate (posts/s) and posts per class, as run. */
    plan: { rate: number[]; posts: number[] };
  };
  graph: {
    users: number;
    follows: number;
    seedPosts: number;
    blocks: number;
    mutes: number;
    following: { p50: number; p99: number; max: number; mean: number };
    followersOfPool: { p50: number; p99: number; max: number };
    authors: { label: string; id: string; followers: number }[];
    clients: number;
    timelines: number;
    entriesPerTimeline: number;
    seedMs: number;
    prefillMs: number;
  };
  classes: ClassResult[];
  big: ClassResult | null;
  inline: ClassResult[];
  rawWrite: RawWriteResult | null;
  fairness: FairnessResult | null;
  reads: ReadsResult | null;
  deepReads: DeepReadsResult | null;
  returning: ReturningResult | null;
  memory: MemoryResult | null;
  rules: RulesResult | null;
  targets: TargetResult[];
}
