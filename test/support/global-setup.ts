import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { Client } from 'pg';
import Redis from 'ioredis';
import { TEST_DATABASE_SERVER, TEST_REDIS_SERVER } from './servers';

/** Fails fast, with the fix, when a service is missing; builds dist/ for tests that spawn processes. */
export default async function globalSetup(): Promise<void> {
  const pg = new Client({ connectionString: `${TEST_DATABASE_SERVER}/postgres`, connectionTimeoutMillis: 3_000 });
  try {
    await pg.connect();
    await pg.end();
  } catch (err) {
    throw new Error(`PostgreSQL is not reachable at ${TEST_DATABASE_SERVER} (${(err as Error).message}). Start it, or run: docker compose up -d postgres`);
  }
  const redis = new Redis(TEST_REDIS_SERVER, { lazyConnect: true, connectTimeout: 3_000, maxRetriesPerRequest: 0 });
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    throw new Error(`Redis is not reachable at ${TEST_REDIS_SERVER} (${(err as Error).message}). Start it, or run: docker compose up -d redis`);
  } finally {
    redis.disconnect();
  }
  execFileSync(process.execPath, [join(__dirname, '..', '..', 'scripts', 'build-if-needed.js')], { stdio: 'inherit' });
}
