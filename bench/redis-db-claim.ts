import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';

const CLAIM_TTL_S = 3600;
const FIRST_DB = 1;
const LAST_DB = 15;
const CLAIM_ATTEMPTS = 120;

/**
 * A Redis database of one's own, for a test file or a load run: claimed with a key in database 0
 * so that two runs on one machine never share one. Only a claimed database is ever flushed.
 */
export class RedisDbClaim {
  private constructor(
    private readonly server: string,
    readonly db: number,
    private readonly token: string,
  ) {}

  /** Takes the first free database of 1-15 and empties it; waits (about a minute) when all are held. */
  static async take(server: string): Promise<RedisDbClaim> {
    const admin = new Redis(`${server}/0`, { maxRetriesPerRequest: 1 });
    const token = randomUUID();
    try {
      for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
        for (let db = FIRST_DB; db <= LAST_DB; db++) {
          if ((await admin.set(claimKey(db), token, 'EX', CLAIM_TTL_S, 'NX')) === 'OK') {
            const claim = new RedisDbClaim(server, db, token);
            await claim.flush();
            return claim;
          }
        }
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      throw new Error('no free Redis database (1-15): other test or load runs hold them all');
    } finally {
      admin.disconnect();
    }
  }

  /** Claims a database named by the user; it must be empty, since it is flushed on release. */
  static async takeGiven(server: string, db: number): Promise<RedisDbClaim> {
    if (db < FIRST_DB || db > LAST_DB) throw new Error(`choose a Redis database of ${FIRST_DB}-${LAST_DB} (0 holds the claims)`);
    const admin = new Redis(`${server}/0`, { maxRetriesPerRequest: 1 });
    const token = randomUUID();
    try {
      if ((await admin.set(claimKey(db), token, 'EX', CLAIM_TTL_S, 'NX')) !== 'OK') {
        throw new Error(`Redis database ${db} is claimed by a test or load run`);
      }
      const claim = new RedisDbClaim(server, db, token);
      const keys = await claim.size();
      if (keys > 0) {
        await admin.del(claimKey(db));
        throw new Error(`Redis database ${db} holds ${keys} keys; a run flushes its database, so it takes only an empty one`);
      }
      return claim;
    } finally {
      admin.disconnect();
    }
  }

  get url(): string {
    return `${this.server}/${this.db}`;
  }

  async flush(): Promise<void> {
    await this.onDb((client) => client.flushdb());
  }

  async release(): Promise<void> {
    await this.flush();
    const admin = new Redis(`${this.server}/0`, { maxRetriesPerRequest: 1 });
    try {
      if ((await admin.get(claimKey(this.db))) === this.token) await admin.del(claimKey(this.db));
    } finally {
      admin.disconnect();
    }
  }

  private size(): Promise<number> {
    return this.onDb((client) => client.dbsize());
  }

  private async onDb<T>(work: (client: Redis) => Promise<T>): Promise<T> {
    const client = new Redis(this.url, { maxRetriesPerRequest: 1 });
    try {
      return await work(client);
    } finally {
      client.disconnect();
    }
  }
}

function claimKey(db: number): string {
  return `feed-fanout:test-claim:db${db}`;
}
