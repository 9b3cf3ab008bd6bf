import { Injectable } from '@nestjs/common';
import { RedisClient } from '../redis/redis-client';
import { RedisKeys } from '../redis/redis-keys';

/** At most this many online users are considered for an online-first pass. */
const MAX_ONLINE_SCAN = 100_000;

/**
 * Who has a live-feed socket open: one sorted set, user id scored by the time its presence runs
 * out. API nodes refresh their users' scores on a heartbeat; a dead node's users simply expire.
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
    const members: (string | number)[] = [];
    for (const id of userIds) members.push(until, id);
    await this.redis
      .pipeline()
      .zadd(this.keys.online(), ...members)
      .zremrangebyscore(this.keys.online(), '-inf', Date.now())
      .exec();
  }

  /** The users among these who are online now, in one round trip. */
  async onlineAmong(userIds: string[]): Promise<string[]> {
    if (userIds.length === 0) return [];
    const scores = await this.redis.zmscore(this.keys.online(), ...userIds);
    const now = Date.now();
    return userIds.filter((_, i) => scores[i] !== null && Number(scores[i]) > now);
  }

  async onlineUsers(): Promise<string[]> {
    return this.redis.zrangebyscore(this.keys.online(), Date.now(), '+inf', 'LIMIT', 0, MAX_ONLINE_SCAN);
  }
}
