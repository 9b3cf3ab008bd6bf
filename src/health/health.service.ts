import { Injectable } from '@nestjs/common';
import { Database } from '../database/database';
import { RedisClient } from '../redis/redis-client';
import { HealthView } from './health.view';

const CHECK_TIMEOUT_MS = 2_000;

@Injectable()
export class HealthService {
  constructor(
    private readonly db: Database,
    private readonly redis: RedisClient,
  ) {}

  async check(): Promise<HealthView> {
    const [postgres, redis] = await Promise.all([
      probe(() => this.db.rows('SELECT 1')),
      probe(() => this.redis.ping()),
    ]);
    const down = [...(postgres ? [] : ['postgres']), ...(redis ? [] : ['redis'])];
    return {
      status: down.length === 0 ? 'ok' : 'unavailable',
      postgres: postgres ? 'up' : 'down',
      redis: redis ? 'up' : 'down',
      ...(down.length > 0 ? { down } : {}),
    };
  }
}

async function probe(check: () => Promise<unknown>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), CHECK_TIMEOUT_MS))),
    ]);
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
