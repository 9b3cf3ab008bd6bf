import { join } from 'node:path';
import { parseArgs } from 'node:util';

/** Everything a load run can be told; each field has a default that suits this 2-core machine. */
export interface LoadOptions {
  /** Users in the seeded graph besides the authors; every one of them has a home timeline. */
  users: number;
  /** Mean accounts a seeded user follows; the counts have a long tail (Pareto, alpha 1.5). */
  following: number;
  /** Posts seeded in PostgreSQL before the run, by authors chosen with the same skew as follows. */
  seedPosts: number;
  /** One author per class, with exactly this many followers; all fanned out on write. */
  followers: number[];
  /** Posts made by each class's author; null: from the rate (see planClasses). */
  posts: number[] | null;
  /** Posts a second, per class (open loop: a post leaves on schedule whatever the last one did); null: from --load. */
  rate: number[] | null;
  /** Share of the measured raw Redis write rate offered to each class when no --rate is given. */
  load: number;
  /** Posts made by the big account (more followers than the threshold: merged at read, one room emit). */
  bigPosts: number;
  clients: number;
  clientProcesses: number;
  /** Posts of the inline-mode baseline, per class. */
  inlinePosts: number[];
  /** 10-follower posts measured idle and again during a large fan-out. */
  fairnessPosts: number;
  /** Seconds each read benchmark runs. */
  readSeconds: number;
  resultsDir: string;
  /** A Redis database to use instead of claiming a free one; it must be empty. */
  redisDb?: number;
  databaseServer: string;
  redisServer: string;
  /** Extra environment for the service processes (--env KEY=VALUE), for experiments. */
  serviceEnv: Record<string, string>;
  skip: Set<Scenario>;
  keep: boolean;
  /** Write V8 CPU profiles of the service processes next to their logs. */
  profile: boolean;
  /** Two worker processes (the default): one for the fanout-bulk queue, one for the rest (WORKER_QUEUES). */
  lanes: boolean;
}

export const SCENARIOS = ['raw', 'fanout', 'big', 'fairness', 'inline', 'reads', 'deep', 'returning', 'memory', 'rules'] as const;
export type Scenario = (typeof SCENARIOS)[number];

/**
 * Without --rate, each class is offered a share (--load, default a quarter) of the follower
 * timelines a second that this machine's Redis can write at best with the service's structure and
 * script, as the raw-write baseline measures at the start of the run: busy enough to queue, never
 * so busy that the queue grows without end and a delay measures the backlog instead of the fan-out
 * (half of it saturated the 10,000-follower class, 8.8 s p99, when the service wrote about 0.4 of
 * that raw rate, a raw write of one script call per timeline). Small classes are capped at MAX_RATE posts a
 * second: every post of the 1,000 class is also pushed to 1,000 sockets, and at 20 a second its
 * writes and 20,000 socket messages kept both cores of this machine busy. Each class then posts
 * for about CLASS_SECONDS.
 */
const MAX_RATE = 10;
const CLASS_SECONDS = 10;
/** When the raw write was skipped: about what it measures on this 2-core machine. */
export const FALLBACK_CAPACITY = 200_000;

export interface ClassPlan {
  rate: number[];
  posts: number[];
}

export function planClasses(options: LoadOptions, capacityPerSec: number | null): ClassPlan {
  const offered = options.load * (capacityPerSec ?? FALLBACK_CAPACITY);
  const rate = options.rate ?? options.followers.map((f) => round2(Math.min(MAX_RATE, offered / f)));
  // At least 10 posts (p99 of fewer is their maximum), but never more than 40 s of one class:
  // a 100,000-follower class gets a few posts, each a real 100,000-timeline fan-out.
  const posts = options.posts ?? rate.map((r) => Math.min(100, Math.max(1, Math.round(r * CLASS_SECONDS), Math.min(10, Math.floor(r * 40)))));
  return { rate, posts };
}

export function defaultInlinePosts(followers: number): number {
  return followers >= 100_000 ? 2 : followers >= 10_000 ? 5 : 10;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

export const HELP = `Usage: npm run load -- [options]

Seeds a graph in a PostgreSQL database and a Redis database of its own, starts the service
(ROLE=api, ROLE=worker and a FANOUT_MODE=inline instance) on loopback ports, connects live-feed
clients, posts at a chosen rate and measures POST latency, fan-out delay and push delay per
follower-count class, with baselines (inline fan-out, raw Redis writes and reads, fan-out on read
in SQL); then pages read below the Redis window (deep) and readers back after a long absence who
follow 2,000 accounts (returning). Prints a table; writes results JSON and an HTML report. Cleans
up after itself.

Graph
  --users N               users with a home timeline (default 100000)
  --following N           mean accounts each follows, long-tailed (default 20)
  --seed-posts N          posts seeded before the run (default 200000)
  --followers A,B,...     follower-count classes, one author each (default 10,1000,10000,100000)

Load
  --rate R|A,B,...        posts a second per class (default: see --load, at most ${MAX_RATE})
  --load F                without --rate, each class is offered this share of the timelines a second
                          a raw pipelined Redis write reaches here (default 0.25)
  --posts N|A,B,...       posts per class (default: ${CLASS_SECONDS} s at the class's rate, 10 to 100,
                          fewer when that would take over 40 s)
  --big-posts N           posts by the big account, merged at read (default 40; 0 skips)
  --clients N             live-feed clients, all followers of every author (default 1000)
  --client-processes N    processes the clients are spread over (default 2)

Baselines
  --inline-posts N|A,...  posts per class with FANOUT_MODE=inline (default 10, 5 at 10k, 2 at 100k)
  --fairness-posts N      10-follower posts idle and again during a big fan-out (default 30)
  --read-seconds N        length of each read benchmark (default 4)
  --skip a,b              leave out: ${SCENARIOS.join(', ')}

Scale-out (a run of its own: npm run load -- --scaling [options])
  --scaling               fan-out deliveries/s with 1 and 2 workers, on one Redis and on a local
                          Redis Cluster it starts, with each process's CPU and the p99 of 10-follower
                          posts during the big fan-outs (bench/scaling.ts)
  --workers A,B,...       worker processes per shape (default 1,2)
  --redis-cluster N       masters of the local cluster (default 3; 0: one Redis only)
  --apis N                API processes the posts are spread over (default 1)
  --followers N, --posts N   followers of the big author (default 100000), its posts per shape (default 2)

Where
  --results DIR           results directory (default bench/results)
  --redis-db N            use this (empty) Redis database instead of claiming a free one of 1-15
  --database-server URL   default postgres://postgres@127.0.0.1:5432 (loopback only)
  --redis-server URL      default redis://127.0.0.1:6379 (loopback only)
  --env KEY=VALUE         extra environment for the service processes (repeatable)
  --keep                  keep the database and Redis data at the end (for inspection)
  --profile               write V8 CPU profiles (.cpuprofile) of the service processes with their logs
  --one-worker            one worker process for every queue, instead of two lanes (WORKER_QUEUES:
                          one process for fanout-bulk, one for the rest, so small fan-outs keep a lane)
  -h, --help              this text
`;

export class OptionsError extends Error {}

export function parseOptions(argv: string[]): LoadOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      users: { type: 'string' },
      following: { type: 'string' },
      'seed-posts': { type: 'string' },
      followers: { type: 'string' },
      posts: { type: 'string' },
      rate: { type: 'string' },
      load: { type: 'string' },
      'big-posts': { type: 'string' },
      clients: { type: 'string' },
      'client-processes': { type: 'string' },
      'inline-posts': { type: 'string' },
      'fairness-posts': { type: 'string' },
      'read-seconds': { type: 'string' },
      skip: { type: 'string' },
      results: { type: 'string' },
      'redis-db': { type: 'string' },
      'database-server': { type: 'string' },
      'redis-server': { type: 'string' },
      env: { type: 'string', multiple: true },
      keep: { type: 'boolean' },
      profile: { type: 'boolean' },
      'one-worker': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';

  const users = int(values.users, 'users', 100_000, 1);
  const followers = intList(values.followers, 'followers', [10, 1_000, 10_000, 100_000], 1).sort((a, b) => a - b);
  if (followers[followers.length - 1] > users) {
    throw new OptionsError(`--followers: the largest class (${followers[followers.length - 1]}) exceeds --users (${users})`);
  }
  const skip = new Set<Scenario>();
  for (const name of (values.skip ?? '').split(',').filter(Boolean)) {
    if (!(SCENARIOS as readonly string[]).includes(name)) throw new OptionsError(`--skip: unknown scenario "${name}" (${SCENARIOS.join(', ')})`);
    skip.add(name as Scenario);
  }
  const databaseServer = loopback(values['database-server'] ?? 'postgres://postgres@127.0.0.1:5432', 'database-server');
  const redisServer = loopback(values['redis-server'] ?? 'redis://127.0.0.1:6379', 'redis-server');
  const serviceEnv: Record<string, string> = {};
  for (const pair of values.env ?? []) {
    const match = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(pair);
    if (!match) throw new OptionsError(`--env: expected KEY=VALUE, got "${pair}"`);
    serviceEnv[match[1]] = match[2];
  }
  return {
    users,
    following: int(values.following, 'following', 20, 0),
    seedPosts: int(values['seed-posts'], 'seed-posts', 200_000, 0),
    followers,
    posts: values.posts === undefined ? null : perClass(values.posts, 'posts', followers, () => 0, 1),
    rate: values.rate === undefined ? null : perClass(values.rate, 'rate', followers, () => 0, 0.01, true),
    load: num(values.load, 'load', 0.25, 0.01),
    bigPosts: int(values['big-posts'], 'big-posts', 40, 0),
    clients: int(values.clients, 'clients', 1_000, 1),
    clientProcesses: int(values['client-processes'], 'client-processes', 2, 1),
    inlinePosts: perClass(values['inline-posts'], 'inline-posts', followers, defaultInlinePosts, 0),
    fairnessPosts: int(values['fairness-posts'], 'fairness-posts', 30, 0),
    readSeconds: num(values['read-seconds'], 'read-seconds', 4, 0.5),
    resultsDir: values.results ?? join(__dirname, '..', '..', 'bench', 'results'),
    redisDb: values['redis-db'] === undefined ? undefined : int(values['redis-db'], 'redis-db', 0, 0),
    databaseServer,
    redisServer,
    serviceEnv,
    skip,
    keep: values.keep ?? false,
    profile: values.profile ?? false,
    lanes: !values['one-worker'],
  };
}

function num(raw: string | undefined, name: string, fallback: number, min: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min) throw new OptionsError(`--${name} must be a number ≥ ${min}, got "${raw}"`);
  return value;
}

function int(raw: string | undefined, name: string, fallback: number, min: number): number {
  const value = num(raw, name, fallback, min);
  if (!Number.isInteger(value)) throw new OptionsError(`--${name} must be an integer, got "${raw}"`);
  return value;
}

function intList(raw: string | undefined, name: string, fallback: number[], min: number): number[] {
  if (raw === undefined) return fallback;
  return raw.split(',').map((part) => int(part.trim(), name, 0, min));
}

/** One value for every class, or one per class in the order of --followers. */
function perClass(
  raw: string | undefined,
  name: string,
  classes: number[],
  fallback: (followers: number) => number,
  min: number,
  fractional = false,
): number[] {
  if (raw === undefined) return classes.map(fallback);
  const values = raw.split(',').map((part) => (fractional ? num : int)(part.trim(), name, 0, min));
  if (values.length === 1) return classes.map(() => values[0]);
  if (values.length !== classes.length) {
    throw new OptionsError(`--${name}: give one value or one per class (${classes.length}), got ${values.length}`);
  }
  return values;
}

/** The load script only ever talks to this machine. */
function loopback(raw: string, name: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new OptionsError(`--${name} is not a URL: "${raw}"`);
  }
  if (url.hostname !== '127.0.0.1' && url.hostname !== 'localhost') {
    throw new OptionsError(`--${name} must be on 127.0.0.1, got "${url.hostname}"`);
  }
  // localhost may resolve to ::1, where nothing listens.
  url.hostname = '127.0.0.1';
  return url.toString().replace(/\/+$/, '');
}
