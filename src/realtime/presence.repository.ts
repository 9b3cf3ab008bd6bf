import { Injectable } from '@nestjs/common';
import { RedisBatch } from '../redis/redis-batch';
import { RedisClient } from '../redis/redis-client';
import { RedisKeys } from '../redis/redis-keys';

/** At most this many online users are considered for an online-first pass. */
const MAX_ONLINE_SCAN = 100_000;
/**
 * Presence is cut into this many sorted sets by user. Enough that a 3- to 10-master cluster gets
 * several each (16 hash tags leave a master of three without one less than 1% of the time), few
 * enough that listing everyone online stays one short batch.
 */
export const PRESENCE_SHARDS = 16;

/**
 * Who has a live-feed socket open: sorted sets of user ids scored by the time their presence
 * runs out, one per shard of users. API nodes refresh their users' scores on a heartbeat; a dead
 * node's users simply expire. Every call is one batch (one round trip per Redis server).
 */
@Injectable()
export class PresenceRepository {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {}

  async refresh(userIds: string[], ttlMs: number): Promise<void> {
    if (userIds.length === 0) return;
    const until = Date.now() + ttlMs;
    const batch = new RedisBatch(this.redis);
    for (const [shard, ids] of RedisKeys.byShard(userIds, PRESENCE_SHARDS)) {
      const members: (string | number)[] = [];
      for (const id of ids) members.push(until, id);
      const key = this.keys.online(shard);
      batch.add('zadd', key, ...members).add('zremrangebyscore', key, '-inf', Date.now());
    }
    await batch.execOrThrow();
  }

  /** The users among these who are online now. */
  async onlineAmong(userIds: string[]): Promise<string[]> {
    if (userIds.length === 0) return [];
    const shards = [...RedisKeys.byShard(userIds, PRESENCE_SHARDS)];
    const batch = new RedisBatch(this.redis);
    for (const [shard, ids] of shards) batch.add('zmscore', this.keys.online(shard), ...ids);
    const replies = (await batch.execOrThrow()) as (string | null)[][];
    const now = Date.now();
    const online = new Set<string>();
    shards.forEach(([, ids], i) => ids.forEach((id, j) => replies[i][j] !== null && Number(replies[i][j]) > now && online.add(id)));
    return userIds.filter((id) => online.has(id));
  }

  async onlineUsers(): Promise<string[]> {
    const batch = new RedisBatch(this.redis);
    const perShard = Math.ceil(MAX_ONLINE_SCAN / PRESENCE_SHARDS);
    for (let shard = 0; shard < PRESENCE_SHARDS; shard++) {
      batch.add('zrangebyscore', this.keys.online(shard), Date.now(), '+inf', 'LIMIT', 0, perShard);
    }
    return ((await batch.execOrThrow()) as string[][]).flat();
  }
}
