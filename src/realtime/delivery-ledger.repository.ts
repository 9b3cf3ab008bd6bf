import { Injectable } from '@nestjs/common';
import { RedisClient } from '../redis/redis-client';
import { RedisKeys } from '../redis/redis-keys';

/** Long enough to outlast any fan-out and its retries. */
const LEDGER_TTL_S = 6 * 3600;

/**
 * Remembers who a post was pushed to live. A batch replayed after a crash, or the walk that
 * follows an online-first pass, pushes only to users not pushed to before.
 */
@Injectable()
export class DeliveryLedger {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {}

  /** Records the users; returns those not recorded before, in one round trip. */
  async claim(postId: string, userIds: string[]): Promise<string[]> {
    if (userIds.length === 0) return [];
    const key = this.keys.livePushes(postId);
    const pipeline = this.redis.pipeline();
    for (const id of userIds) pipeline.sadd(key, id);
    pipeline.expire(key, LEDGER_TTL_S);
    const results = (await pipeline.exec()) ?? [];
    return userIds.filter((_, i) => results[i][1] === 1);
  }
}
