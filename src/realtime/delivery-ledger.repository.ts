import { Injectable } from '@nestjs/common';
import { RedisBatch } from '../redis/redis-batch';
import { RedisClient } from '../redis/redis-client';
import { RedisKeys } from '../redis/redis-keys';

/** Long enough to outlast any fan-out and its retries. */
const LEDGER_TTL_S = 6 * 3600;
/** A post's ledger is cut into this many sets by user, so a big post's pushes spread over a cluster. */
const LEDGER_SHARDS = 16;

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

  /** Records the users; returns those not recorded before, in one batch. */
  async claim(postId: string, userIds: string[]): Promise<string[]> {
    if (userIds.length === 0) return [];
    const batch = new RedisBatch(this.redis);
    const touched = new Set<string>();
    // One SADD per user: its reply (1 or 0) says whether that user is new.
    for (const id of userIds) {
      const key = this.keys.livePushes(postId, RedisKeys.shardOf(id, LEDGER_SHARDS));
      batch.add('sadd', key, id);
      touched.add(key);
    }
    for (const key of touched) batch.add('expire', key, LEDGER_TTL_S);
    const results = await batch.execOrThrow();
    return userIds.filter((_, i) => results[i] === 1);
  }
}
