import { Injectable } from '@nestjs/common';
import { BulkRedisClient, RedisClient } from '../redis/redis-client';
import { RedisBatch } from '../redis/redis-batch';
import { RedisKeys } from '../redis/redis-keys';
import { defineScripts, ScriptDefinition } from '../redis/redis-scripts';
import { BEGIN_REBUILD, MERGE, PUSH, PUSH_REPOST, RANGE, REMOVE } from './timeline-scripts';

/** Writes of more timeline entries than this go over the bulk connection (see BulkRedisClient). */
const BULK_WRITE_MIN = 100;
/**
 * A bulk write goes in pipelines of at most this many timelines, one after the other, so that a
 * small fan-out's commands (on the other connection) wait in Redis behind one such slice, not a
 * whole batch of FANOUT_BATCH_SIZE.
 */
export const BULK_SLICE = 250;

export interface WindowRange {
  /** Ids of the range, newest first. */
  ids: string[];
  /**
   * Down to where the set vouches for everything: its oldest id, or END_OF_HISTORY when it holds
   * everything down to the start (empty or not).
   */
  oldest: string;
  /**
   * The post cache's entry of each id, in the same order (null where none), when the range was
   * read with its posts (ranges' `withPosts`) on one Redis; absent otherwise.
   */
  cachedPosts?: (string | null)[];
}

export interface RangeQuery {
  /** Only ids below this one (the cursor). */
  before?: string;
  /** Only ids above this one. */
  since?: string;
  limit: number;
}

/** The scripts as commands of our clients (see defineScripts). */
const SCRIPTS: Record<string, ScriptDefinition> = {
  // Any number of keys: the count comes first (see RedisBatch.addForKeys).
  timelinePush: { lua: PUSH },
  timelinePushRepost: { numberOfKeys: 2, lua: PUSH_REPOST },
  timelineMerge: { numberOfKeys: 1, lua: MERGE },
  timelineBeginRebuild: { numberOfKeys: 1, lua: BEGIN_REBUILD },
  timelineRange: { numberOfKeys: 1, lua: RANGE },
  timelineRemove: { numberOfKeys: 1, lua: REMOVE },
};

/**
 * Home timelines and authors' post lists in Redis: lists of post ids, newest first, kept in shape
 * by the scripts of timeline-scripts.ts (one command per timeline, also in pipelines).
 */
@Injectable()
export class TimelineRepository {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly bulk: BulkRedisClient,
  ) {
    defineScripts([redis, bulk], SCRIPTS);
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
    const added = await this.writeInSlices(keys, 1, (batch, slice) => {
      for (const key of slice) batch.add('timelinePushRepost', key.home, key.reposts, id, originalId, window, max, ttlSeconds);
    });
    return keys.filter((_, i) => added[i] === 1).map((key) => key.home);
  }

  /**
   * Adds the ids to each timeline that exists, each in its place, trimmed to `max`, in one round
   * trip. A timeline that does not exist is left alone: the read that finds it missing rebuilds it.
   * The hot path of a fan-out: one command per slice of timelines, not one per timeline.
   */
  async addToMany(keys: string[], ids: string[], max: number, ttlSeconds?: number): Promise<void> {
    if (ids.length === 0) return;
    await this.writeInSlices(keys, ids.length, (batch, slice) => batch.addForKeys('timelinePush', slice, max, ttlSeconds ?? '', ...ids));
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
    for (const key of keys) for (const id of ids) batch.add('lrem', key, 0, id);
    await batch.execOrThrow();
  }

  /**
   * Removes the ids from one timeline; returns those it held. A timeline being rebuilt is dropped
   * instead, since its rebuild may have read the ids before they left the truth (see REMOVE).
   */
  async removeFrom(key: string, ids: string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const [removed] = await new RedisBatch(this.redis).add('timelineRemove', key, ...ids).execOrThrow();
    return removed as string[];
  }

  /**
   * Starts rebuilding a timeline: false when it is complete already, else it now exists as being
   * rebuilt, so that posts pushed while PostgreSQL is read are kept (see fill).
   */
  async beginRebuild(key: string, ttlSeconds: number): Promise<boolean> {
    const [alreadyComplete] = await new RedisBatch(this.redis).add('timelineBeginRebuild', key, ttlSeconds).execOrThrow();
    return alreadyComplete === 0;
  }

  /**
   * Ends a rebuild: the newest `max` ids of the truth, newest first (fewer when that is all there
   * is), merged with anything pushed since beginRebuild; it expires after `ttlSeconds`. False when
   * the timeline was no longer being rebuilt: an edit of the graph dropped it meanwhile (the ids
   * read before the edit are stale) or another rebuilder finished it, and it is left as it is.
   */
  async fill(key: string, ids: string[], max: number, ttlSeconds: number): Promise<boolean> {
    const mode = ids.length < max ? 'fill-all' : 'fill';
    const [written] = await new RedisBatch(this.redis).add('timelineMerge', key, mode, max, '', ttlSeconds, ...ids).execOrThrow();
    return written !== 0;
  }

  /**
   * Several ranges of several timelines in one round trip, each with where its timeline vouches
   * down to (WindowRange.oldest); null for a timeline that is not complete. `withPosts` reads the
   * post cache's entries of the ranges' ids in the same round trip (WindowRange.cachedPosts): on one
   * Redis only, since on a cluster the entries live in other slots than the timelines.
   */
  async ranges(keys: string[], query: RangeQuery, withPosts = false): Promise<(WindowRange | null)[]> {
    const postKey = withPosts && !this.redis.isCluster ? this.keys.postKeyParts() : [];
    const batch = new RedisBatch(this.redis);
    for (const key of keys) batch.add('timelineRange', key, query.before ?? '', query.since ?? '', query.limit, ...postKey);
    return (await batch.execOrThrow()).map((reply) => {
      if (reply === null) return null;
      const [oldest, ...rest] = reply as (string | null)[];
      if (postKey.length === 0) return { ids: rest as string[], oldest: oldest! };
      const count = rest.length / 2;
      return { ids: rest.slice(0, count) as string[], oldest: oldest!, cachedPosts: rest.slice(count) };
    });
  }

  /**
   * Merges ids into one timeline, trimmed to `max`, in one step. With `cutBelow`, entries older
   * than that id leave too: the caller merged only part of what belongs below it, and a timeline
   * must hold everything from its oldest entry up (see TimelineService.merge). A timeline being
   * rebuilt is dropped instead, as removeFrom drops it.
   */
  async merge(key: string, ids: string[], max: number, cutBelow?: string): Promise<void> {
    await this.mergeMany([key], ids, max, cutBelow);
  }

  /** Merges the same ids into many timelines, each as merge() does. */
  async mergeMany(keys: string[], ids: string[], max: number, cutBelow?: string): Promise<void> {
    if (ids.length === 0) return;
    await this.writeInSlices(keys, ids.length, (batch, slice) => {
      for (const key of slice) batch.add('timelineMerge', key, 'merge', max, cutBelow ?? '', '', ...ids);
    });
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

  async delete(key: string): Promise<void> {
    await this.redis.del(key);
  }

  /**
   * A write to many timelines: one round trip, or for a bulk write (more than BULK_WRITE_MIN
   * entries) one per slice of BULK_SLICE timelines, one after the other, over the bulk connection.
   * `add` puts a slice's commands in its batch. Returns the replies of every slice in order.
   */
  private async writeInSlices<T>(timelines: T[], entriesEach: number, add: (batch: RedisBatch, slice: T[]) => void): Promise<unknown[]> {
    const bulk = timelines.length * entriesEach > BULK_WRITE_MIN;
    const size = bulk ? BULK_SLICE : timelines.length;
    const replies: unknown[] = [];
    for (let i = 0; i < timelines.length; i += size) {
      const batch = new RedisBatch(bulk ? this.bulk : this.redis);
      add(batch, timelines.slice(i, i + size));
      for (const reply of await batch.execOrThrow()) replies.push(reply);
    }
    return replies;
  }
}
