import Redis from 'ioredis';
import { Client } from 'pg';
import { RedisKeys } from '../../src/redis/redis-keys';
import { ClientFleet } from '../clients/client-fleet';
import { CpuMeter } from '../cpu';
import { Http } from '../http';
import { ClassPlan, LoadOptions } from '../options';
import { Progress } from '../progress';
import { Author, Graph, SeededUser } from '../seed';

export interface Poster extends Author {
  token: string;
}

/** What every scenario works with: the graph, the running service, the clients. */
export interface RunContext {
  options: LoadOptions;
  /** Rate and posts per class, settled once the raw write has measured this machine. */
  plan: ClassPlan;
  graph: Graph;
  keys: RedisKeys;
  redis: Redis;
  redisDb: number;
  sql: Client;
  databaseUrl: string;
  /** The ROLE=api process (the ROLE=worker one has no HTTP). */
  api: Http;
  apiUrl: string;
  /** The FANOUT_MODE=inline instance, while it runs. */
  inline: Http | null;
  fleet: ClientFleet | null;
  progress: Progress;
  /** CPU seconds per process group over a phase. */
  cpu: CpuMeter;
  /** Signs a token for any seeded user. */
  token(user: SeededUser): string;
  /** A home timeline cursor for this reader pointing after this post, as the service signs them. */
  homeCursor(readerId: string, afterId: string): string;
  /** A per-run tag in post texts, so two runs' posts never look alike. */
  tag: string;
  maxTimeline: number;
  /** FANOUT_CELEBRITY_THRESHOLD the service runs with. */
  threshold: number;
  authors: Poster[];
  big: Poster;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `work` over the items with at most `limit` at once. */
export async function mapLimit<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
