import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { migrate } from '../src/database/migrate';
import { RedisDbClaim } from './redis-db-claim';

/**
 * The run's own world: a PostgreSQL database created here and a Redis database claimed here.
 * close() drops the one and flushes the other; nothing else on either server is touched.
 */
export class Sandbox {
  private closed = false;

  private constructor(
    readonly databaseName: string,
    readonly databaseServer: string,
    private readonly claim: RedisDbClaim,
  ) {}

  static async create(databaseServer: string, redisServer: string, redisDb?: number): Promise<Sandbox> {
    const claim =
      redisDb === undefined ? await RedisDbClaim.take(redisServer) : await RedisDbClaim.takeGiven(redisServer, redisDb);
    const name = `feed_bench_${process.pid}_${randomBytes(3).toString('hex')}`;
    const sandbox = new Sandbox(name, databaseServer, claim);
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
    return this.claim.url;
  }

  get redisDb(): number {
    return this.claim.db;
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
    await this.claim.release();
  }
}
