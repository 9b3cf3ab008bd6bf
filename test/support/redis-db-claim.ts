import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { TEST_REDIS_SERVER } from './servers';

const CLAIM_TTL_S = 3600;
const FIRST_DB = 1;
const LAST_DB = 15;

/**
 * Each test file takes a Redis database of its own, claimed with a key in database 0 so that two
 * runs on one machine never share one. Only a claimed database is ever flushed.
 */
export class RedisDbClaim {
  private constructor(
    readonly db: number,
    private readonly token: string,
  ) {}

  static async take(): Promise<RedisDbClaim> {
    const admin = new Redis(`${TEST_REDIS_SERVER}/0`, { maxRetriesPerRequest: 1 });
    const token = randomUUID();
    try {
      for (let attempt = 0; attempt < 100; attempt++) {
        for (let db = FIRST_DB; db <= LAST_DB; db++) {
          if ((await admin.set(claimKey(db), token, 'EX', CLAIM_TTL_S, 'NX')) === 'OK') {
            const claim = new RedisDbClaim(db, token);
            await claim.flush();
            return claim;
          }
        }
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      throw new Error('no free Redis test database (1-15): other test runs hold them all');
    } finally {
      admin.disconnect();
    }
  }

  get url(): string {
    return `${TEST_REDIS_SERVER}/${this.db}`;
  }

  async flush(): Promise<void> {
    const client = new Redis(this.url, { maxRetriesPerRequest: 1 });
    try {
      await client.flushdb();
    } finally {
      client.disconnect();
    }
  }

  async release(): Promise<void> {
    await this.flush();
    const admin = new Redis(`${TEST_REDIS_SERVER}/0`, { maxRetriesPerRequest: 1 });
    try {
      if ((await admin.get(claimKey(this.db))) === this.token) await admin.del(claimKey(this.db));
    } finally {
      admin.disconnect();
    }
  }
}

function claimKey(db: number): string {
  return `feed-fanout:test-claim:db${db}`;
}
