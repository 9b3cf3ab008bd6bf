import { Injectable } from '@nestjs/common';
import { RedisBatch } from '../redis/redis-batch';
import { RedisClient } from '../redis/redis-client';
import { RedisKeys } from '../redis/redis-keys';
import { defineScripts } from '../redis/redis-scripts';

/** Long enough to outlast any fan-out and its retries. */
const LEDGER_TTL_S = 6 * 3600;
/** A post's ledger is cut into this many sets by user, so a big post's pushes spread over a cluster. */
const LEDGER_SHARDS = 16;

/**
 * KEYS: one shard of a post's ledger. ARGV: its time to live, then user ids. Adds the users and
 * answers those that were not in it yet: one command per shard, not one per user.
 */
const CLAIM = `
local fresh = {}
for i = 2, #ARGV do
  if redis.call('SADD', KEYS[1], ARGV[i]) == 1 then fresh[#fresh + 1] = ARGV[i] end
end
redis.call('EXPIRE', KEYS[1], ARGV[1])
return fresh`;

/**
 * Remembers who a post was pushed to live. A batch replayed after a crash, or the walk that
 * follows an online-first pass, pushes only to users not pushed to before.
 */
@Injectable()
export class DeliveryLedger {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {
    defineScripts([redis], { ledgerClaim: { numberOfKeys: 1, lua: CLAIM } });
  }

  /** Records the users; returns those not recorded before, in their order, in one batch. */
  async claim(postId: string, userIds: string[]): Promise<string[]> {
    if (userIds.length === 0) return [];
    const batch = new RedisBatch(this.redis);
    for (const [shard, ids] of RedisKeys.byShard(userIds, LEDGER_SHARDS)) {
      batch.add('ledgerClaim', this.keys.livePushes(postId, shard), LEDGER_TTL_S, ...ids);
    }
    const fresh = new Set((await batch.execOrThrow()).flat() as string[]);
    // delete() answers true once per id: a user given twice is answered once.
    return userIds.filter((id) => fresh.delete(id));
  }
}
