import Redis from 'ioredis';
import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { migrate } from '../src/database/migrate';

const CLAIM_TTL_S = 3600;
const FIRST_DB = 1;
const LAST_DB = 15;
const CLAIM_ATTEMPTS = 120;
/** The same claim keys as the test suite's (test/support/redis-db-claim.ts), so the two never share a database. */
const claimKey = (db: number) => `feed-fanout:test-claim:db${db}`;

/**
 * The run's own world: a PostgreSQL database created here and a Redis database claimed here.
 * close() drops the one and flushes the other; nothing else on either server is touched.
 */
export class Sandbox {
  private closed = false;

  private constructor(
    readonly databaseName: string,
    readonly databaseServer: string,
    readonly redisServer: string,
    readonly redisDb: number,
    private readonly claimToken: string,
  ) {}

  static async create(databaseServer: string, redisServer: string, redisDb?: number): Promise<Sandbox> {
    const claim = redisDb === undefined ? await claimFree(redisServer) : await claimGiven(redisServer, redisDb);
    const name = `feed_bench_${process.pid}_${randomBytes(3).toString('hex')}`;
    const sandbox = new Sandbox(name, databaseServer, redisServer, claim.db, claim.token);
    try {
      await migrate(sandbox.databaseUrl, { log: () => undefined } as never);
    } catch (err) {
      await sandbox.close();
      throw err;
    }
    return sandbox;
  }

  get databaseUrl(): string {
    return `${this.databaseServer}/${this.databaseName}`;
  }

  get redisUrl(): string {
    return `${this.redisServer}/${this.redisDb}`;
  }

  async sql(): Promise<Client> {
    const client = new Client({ connectionString: this.databaseUrl });
    await client.connect();
    return client;
  }

  redis(name = 'feed-bench'): Redis {
    return new Redis(this.redisUrl, { maxRetriesPerRequest: 1, connectionName: name });
  }

  /** Drops the database and flushes and releases the Redis database; safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const admin = new Client({ connectionString: `${this.databaseServer}/postgres` });
    try {
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS "${this.databaseName}" WITH (FORCE)`);
    } finally {
      await admin.end().catch(() => undefined);
    }
    const redis = new Redis(`${this.redisServer}/${this.redisDb}`, { maxRetriesPerRequest: 1 });
    try {
      await redis.flushdb();
      await redis.select(0);
      if ((await redis.get(claimKey(this.redisDb))) === this.claimToken) await redis.del(claimKey(this.redisDb));
    } finally {
      redis.disconnect();
    }
  }
}

interface Claim {
  db: number;
  token: string;
}

/**
 * Takes the first Redis database of 1-15 nobody holds, as a test run does, and empties it. When
 * test runs hold them all, it waits for one, as they do (about a minute at most).
 */
async function claimFree(server: string): Promise<Claim> {
  const admin = new Redis(`${server}/0`, { maxRetriesPerRequest: 1 });
  const token = randomUUID();
  try {
    for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
      for (let db = FIRST_DB; db <= LAST_DB; db++) {
        if ((await admin.set(claimKey(db), token, 'EX', CLAIM_TTL_S, 'NX')) === 'OK') {
          await admin.select(db);
          await admin.flushdb();
          return { db, token };
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    throw new Error('no free Redis database (1-15): test runs hold them all; wait, or pass --redis-db');
  } finally {
    admin.disconnect();
  }
}

/** A database named by the user is claimed too, and must be empty: we flush it at the end. */
async function claimGiven(server: string, db: number): Promise<Claim> {
  const admin = new Redis(`${server}/0`, { maxRetriesPerRequest: 1 });
  const token = randomUUID();
  try {
    if (db === 0) throw new Error('--redis-db 0 holds the claims of test runs; choose 1-15');
    if ((await admin.set(claimKey(db), token, 'EX', CLAIM_TTL_S, 'NX')) !== 'OK') {
      throw new Error(`Redis database ${db} is claimed by a test or load run`);
    }
    await admin.select(db);
    const keys = await admin.dbsize();
    if (keys > 0) {
      await admin.select(0);
      await admin.del(claimKey(db));
      throw new Error(`Redis database ${db} holds ${keys} keys; the load run flushes its database, so it takes only an empty one`);
    }
    return { db, token };
  } finally {
    admin.disconnect();
  }
}
