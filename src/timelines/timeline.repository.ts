import { Injectable } from '@nestjs/common';
import { BulkRedisClient, RedisClient } from '../redis/redis-client';
import { RedisBatch } from '../redis/redis-batch';
import { RedisKeys } from '../redis/redis-keys';

/**
 * A timeline is a sorted set of post ids scored by id (ids are time-ordered), newest last.
 * A marker member "0" with score 0 says the set is complete: a set without it was evicted or
 * never built, and is rebuilt from PostgreSQL before it is read. Readers skip the marker by
 * asking for scores above 0.
 */
export const COMPLETE_MARKER = '0';

/** Writes of more timeline entries than this go over the bulk connection (see BulkRedisClient). */
const BULK_WRITE_MIN = 100;

export interface WindowRange {
  /** Ids of the range, newest first. */
  ids: string[];
  /** The oldest id the whole set holds, or null when it holds none. */
  oldest: string | null;
}

export interface RangeQuery {
  /** Only ids below this one (the cursor). */
  before?: string;
  /** Only ids above this one. */
  since?: string;
  limit: number;
}

/**
 * Rule 2's dedup, as one step per timeline so that nothing can come between the look and the
 * write. KEYS: the home timeline, and its index of reposts (original id → the newest repost of it
 * added, as the score). ARGV: the repost's id, the original's id, the window, the cap, and how long
 * the index lives unwritten (as long as a timeline, TimelineService.ttlSeconds).
 * Answers 1 when the repost is in the timeline (added now, or by an earlier run of the same
 * batch), 0 when it was skipped: the original, or a repost of it still in the timeline, is among
 * the newest `window` entries. The entry already there stays where it is.
 */
const PUSH_REPOST = `
local home, index = KEYS[1], KEYS[2]
local id, original, window, max, ttl = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
if redis.call('ZSCORE', home, id) then return 1 end
if window > 0 then
  local edge = redis.call('ZREVRANGE', home, window - 1, window - 1, 'WITHSCORES')
  local floor = tonumber(edge[2] or '0')
  local at = redis.call('ZSCORE', home, original)
  if at and tonumber(at) >= floor then return 0 end
  local other = redis.call('ZSCORE', index, original)
  if other and tonumber(other) >= floor and redis.call('ZSCORE', home, string.format('%.0f', tonumber(other))) then return 0 end
end
redis.call('ZADD', home, id, id)
redis.call('ZREMRANGEBYRANK', home, 1, -max - 1)
redis.call('ZADD', index, id, original)
redis.call('EXPIRE', index, ttl)
local oldest = redis.call('ZRANGEBYSCORE', home, '(0', '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
if oldest[2] then redis.call('ZREMRANGEBYSCORE', index, '-inf', '(' .. oldest[2]) end
return 1`;
const PUSH_REPOST_COMMAND = 'feedPushRepost';

@Injectable()
export class TimelineRepository {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly bulk: BulkRedisClient,
  ) {
    // ioredis sends a defined command as EVALSHA, loading the script when Redis does not know it,
    // in pipelines too; on a cluster, its first key routes it.
    for (const client of [redis, bulk] as unknown as { defineCommand?: (name: string, d: object) => void; [k: string]: unknown }[]) {
      if (!client[PUSH_REPOST_COMMAND]) client.defineCommand?.(PUSH_REPOST_COMMAND, { numberOfKeys: 2, lua: PUSH_REPOST });
    }
  }

  /**
   * Adds a repost to each timeline unless its original, or another repost of it, is among the
   * timeline's newest `window` entries (rule 2), in one round trip; returns the keys it was added to.
   */
  async addRepostToMany(
    keys: { home: string; reposts: string }[],
    id: string,
    originalId: string,
    window: number,
    max: number,
    ttlSeconds: number,
  ): Promise<string[]> {
    if (keys.length === 0) return [];
    const batch = new RedisBatch(keys.length > BULK_WRITE_MIN ? this.bulk : this.redis);
    for (const key of keys) batch.add(PUSH_REPOST_COMMAND, key.home, key.reposts, id, originalId, window, max, ttlSeconds);
    const added = await batch.execOrThrow();
    return keys.filter((_, i) => added[i] === 1).map((key) => key.home);
  }

  /**
   * Adds the ids to each timeline and trims it to `max` entries plus the marker, in one round
   * trip. It trims after each id, so a set never holds more than max + 2 members: one more and
   * Redis would turn it from a listpack into a skiplist for good (see RedisTuning).
   *
   * A timeline that does not exist is created without its marker; readers treat it as missing
   * and rebuild it, merging what was pushed. Checking for it first needs a Lua script, which cost
   * a tenth to a quarter of the write rate in bench/timeline-writes.ts: writes are plain commands.
   */
  async addToMany(keys: string[], ids: string[], max: number, ttlSeconds?: number): Promise<void> {
    if (keys.length === 0 || ids.length === 0) return;
    const batch = new RedisBatch(keys.length * ids.length > BULK_WRITE_MIN ? this.bulk : this.redis);
    for (const key of keys) {
      for (const id of ids) batch.add('zadd', key, id, id).add('zremrangebyrank', key, 1, -max - 1);
      if (ttlSeconds !== undefined) batch.add('expire', key, ttlSeconds);
    }
    await batch.execOrThrow();
  }

  /** Sets how long these keys live unless touched again (see TimelineService.ttlSeconds). */
  async expire(keys: string[], ttlSeconds: number): Promise<void> {
    const batch = new RedisBatch(this.redis);
    for (const key of keys) batch.add('expire', key, ttlSeconds);
    await batch.execOrThrow();
  }

  async removeFromMany(keys: string[], ids: string[]): Promise<void> {
    if (keys.length === 0 || ids.length === 0) return;
    const batch = new RedisBatch(this.redis);
    for (const key of keys) batch.add('zrem', key, ...ids);
    await batch.execOrThrow();
  }

  /** Removes the ids from one timeline; returns those it held. */
  async removeFrom(key: string, ids: string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const [scores] = await this.execOrThrow(this.redis.multi().zmscore(key, ...ids).zrem(key, ...ids));
    return ids.filter((_, i) => (scores as (string | null)[])[i] !== null);
  }

  /** Writes a rebuilt timeline: the marker plus the ids, merged with anything pushed meanwhile; it expires after `ttlSeconds`. */
  async fill(key: string, ids: string[], max: number, ttlSeconds: number): Promise<void> {
    const members: (string | number)[] = [0, COMPLETE_MARKER];
    for (const id of ids) members.push(id, id);
    const pipeline = this.redis.multi();
    pipeline.zadd(key, ...members);
    pipeline.zremrangebyrank(key, 1, -(max + 1));
    pipeline.expire(key, ttlSeconds);
    await this.execOrThrow(pipeline);
  }

  /**
   * Several ranges of several sets in one round trip, each with the oldest id its set holds; null
   * for a set that is not complete. The marker sorts first (score 0), so the two lowest members
   * say both whether the set is complete and where it ends.
   */
  async ranges(keys: string[], query: RangeQuery): Promise<(WindowRange | null)[]> {
    const batch = new RedisBatch(this.redis);
    const max = query.before ? `(${query.before}` : '+inf';
    const min = query.since ? `(${query.since}` : '(0';
    for (const key of keys) {
      batch.add('zrange', key, 0, 1);
      batch.add('zrange', key, max, min, 'BYSCORE', 'REV', 'LIMIT', 0, query.limit);
    }
    const results = await batch.execOrThrow();
    return keys.map((_, i) => {
      const [first, oldest] = results[2 * i] as string[];
      if (first !== COMPLETE_MARKER) return null;
      return { ids: results[2 * i + 1] as string[], oldest: oldest ?? null };
    });
  }

  /**
   * Merges ids into one timeline, trimmed to `max`, in one transaction. With `cutBelow`, entries
   * older than that id leave too: the caller merged only part of what belongs below it, and a
   * timeline must hold everything from its oldest entry up (see TimelineService.merge).
   */
  async merge(key: string, ids: string[], max: number, cutBelow?: string): Promise<void> {
    if (ids.length === 0) return;
    const transaction = this.redis.multi();
    for (const id of ids) transaction.zadd(key, id, id).zremrangebyrank(key, 1, -max - 1);
    if (cutBelow) transaction.zremrangebyscore(key, '(0', `(${cutBelow}`);
    await this.execOrThrow(transaction);
  }

  /**
   * Merges the same ids into many timelines in one round trip, each as merge() does (trimmed after
   * every id, cut below `cutBelow` when given).
   */
  async mergeMany(keys: string[], ids: string[], max: number, cutBelow?: string): Promise<void> {
    if (keys.length === 0 || ids.length === 0) return;
    const batch = new RedisBatch(this.bulk);
    for (const key of keys) {
      for (const id of ids) batch.add('zadd', key, id, id).add('zremrangebyrank', key, 1, -max - 1);
      if (cutBelow) batch.add('zremrangebyscore', key, '(0', `(${cutBelow}`);
    }
    await batch.execOrThrow();
  }

  /** A cached id list and the version it was computed at, with the current version, in one round trip. */
  async cachedList(key: string, versionKey: string): Promise<{ ids: string[] | null; current: string }> {
    // Two slots (the user's and the shared version's): a batch, which a cluster can run.
    const [raw, version] = (await new RedisBatch(this.redis).add('get', key).add('get', versionKey).execOrThrow()) as [
      string | null,
      string | null,
    ];
    const current = version ?? '0';
    if (raw === null) return { ids: null, current };
    const [cachedAt, list] = raw.split('|');
    return { ids: cachedAt === current ? (list ? list.split(',') : []) : null, current };
  }

  async cacheList(key: string, version: string, ids: string[], ttlSeconds: number): Promise<void> {
    await this.redis.set(key, `${version}|${ids.join(',')}`, 'EX', ttlSeconds);
  }

  async bump(versionKey: string): Promise<void> {
    await this.redis.incr(versionKey);
  }

  /** Adds or removes a member of a set; when that changed the set, bumps its version counter. */
  async toggleMember(setKey: string, versionKey: string, member: string, present: boolean): Promise<boolean> {
    const changed = present ? await this.redis.sadd(setKey, member) : await this.redis.srem(setKey, member);
    if (changed) await this.redis.incr(versionKey);
    return changed === 1;
  }

  /** True once per period: the first call after the key expired. */
  async firstIn(key: string, ttlSeconds: number): Promise<boolean> {
    return (await this.redis.set(key, '1', 'EX', ttlSeconds, 'NX')) === 'OK';
  }

  /** Takes the rebuild lock; only its holder rebuilds. */
  async lock(key: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.set(this.keys.lock(key), '1', 'PX', ttlMs, 'NX')) === 'OK';
  }

  async unlock(key: string): Promise<void> {
    await this.redis.del(this.keys.lock(key));
  }

  async isComplete(key: string): Promise<boolean> {
    return (await this.redis.zscore(key, COMPLETE_MARKER)) !== null;
  }

  async delete(key: string): Promise<void> {
    await this.redis.del(key);
  }

  private async execOrThrow(pipeline: ReturnType<RedisClient['pipeline']>): Promise<unknown[]> {
    const results = (await pipeline.exec()) ?? [];
    return results.map(([err, value]) => {
      if (err) throw err;
      return value;
    });
  }
}
