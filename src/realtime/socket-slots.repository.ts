import { Injectable } from '@nestjs/common';
import { RedisBatch } from '../redis/redis-batch';
import { RedisClient } from '../redis/redis-client';
import { RedisKeys } from '../redis/redis-keys';

/**
 * Drops the slots that ran out, then takes one if fewer than the maximum are held, in one step so
 * that two nodes admitting the same user at once cannot both take the last slot. One key: any
 * Cluster slot can run it. KEYS[1] the user's slots; ARGV: now, until, max, socket id, key TTL ms.
 */
const TAKE_SLOT = `
redis.call('zremrangebyscore', KEYS[1], '-inf', ARGV[1])
if redis.call('zcard', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('zadd', KEYS[1], ARGV[2], ARGV[4])
redis.call('pexpire', KEYS[1], ARGV[5])
return 1`;

/**
 * The open /feed sockets of each user on every API node: a sorted set per user of socket ids,
 * scored by when the slot runs out. Nodes renew their sockets' slots on a heartbeat and free them
 * on disconnect; a crashed node's slots run out by themselves.
 */
@Injectable()
export class SocketSlots {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {}

  /** Takes a slot for this socket; false when the user already holds `max`. */
  async take(userId: string, socketId: string, max: number, ttlMs: number): Promise<boolean> {
    const now = Date.now();
    const taken = await this.redis.eval(TAKE_SLOT, 1, this.keys.socketSlots(userId), now, now + ttlMs, max, socketId, ttlMs);
    return taken === 1;
  }

  async release(userId: string, socketId: string): Promise<void> {
    await this.redis.zrem(this.keys.socketSlots(userId), socketId);
  }

  /** Renews the slots of the sockets still open on this node, in one batch. */
  async renew(sockets: { userId: string; socketId: string }[], ttlMs: number): Promise<void> {
    if (sockets.length === 0) return;
    const until = Date.now() + ttlMs;
    // Keys of many users: a batch, one pipeline per server (see RedisBatch).
    const batch = new RedisBatch(this.redis);
    for (const { userId, socketId } of sockets) {
      const key = this.keys.socketSlots(userId);
      batch.add('zadd', key, until, socketId).add('pexpire', key, ttlMs);
    }
    await batch.exec();
  }
}
