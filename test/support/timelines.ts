import Redis from 'ioredis';
import { RedisKeys } from '../../src/redis/redis-keys';
import { COMPLETE_MARKER } from '../../src/timelines/timeline.repository';

/** Key of a home timeline, as src/redis/redis-keys.ts lays it out with the test prefix. */
export const homeKey = (userId: string, prefix = 'feed:') => `${prefix}{u:${userId}}:home`;

/** Gives users an (empty, complete) home timeline, as active users have, so fan-out writes to it. */
export async function createTimelines(redis: Redis, userIds: string[]): Promise<void> {
  for (let i = 0; i < userIds.length; i += 5000) {
    const pipeline = redis.pipeline();
    for (const id of userIds.slice(i, i + 5000)) pipeline.zadd(homeKey(id), 0, '0');
    await pipeline.exec();
  }
}

/** How many of these users' timelines hold the post. */
export async function countHolding(redis: Redis, userIds: string[], postId: string): Promise<number> {
  let holding = 0;
  for (let i = 0; i < userIds.length; i += 5000) {
    const pipeline = redis.pipeline();
    for (const id of userIds.slice(i, i + 5000)) pipeline.zscore(homeKey(id), postId);
    for (const [, score] of (await pipeline.exec()) ?? []) if (score !== null) holding++;
  }
  return holding;
}

/**
 * What a Redis flush takes from these users and posts, key by key (home timeline, own post list,
 * cached big followees, rebuild locks, cached posts), with single-key commands only, so it works on
 * one Redis and on a cluster alike and never touches another test's keys.
 */
export async function forgetInRedis(redis: Redis, lost: { users?: string[]; posts?: string[] }, prefix = 'feed:'): Promise<void> {
  const keys = new RedisKeys(prefix);
  const doomed: string[] = [];
  for (const id of lost.users ?? []) {
    doomed.push(keys.home(id), keys.lock(keys.home(id)), keys.authorPosts(id), keys.lock(keys.authorPosts(id)), keys.bigFollowees(id));
  }
  for (const id of lost.posts ?? []) doomed.push(keys.post(id));
  // One command per key, not one pipeline: a cluster client would refuse keys of several slots in one.
  await Promise.all(doomed.map((key) => redis.del(key)));
}

/** Holds a timeline's rebuild lock as if another node were rebuilding it; returns the release. */
export async function holdRebuildLock(redis: Redis, userId: string, prefix = 'feed:'): Promise<() => Promise<void>> {
  const keys = new RedisKeys(prefix);
  const lock = keys.lock(keys.home(userId));
  await redis.set(lock, 'test', 'PX', 60_000);
  return async () => {
    await redis.del(lock);
  };
}

/** Whether the user's home timeline is in Redis and complete (rebuilt). */
export async function isHomeComplete(redis: Redis, userId: string, prefix = 'feed:'): Promise<boolean> {
  return (await redis.zscore(new RedisKeys(prefix).home(userId), COMPLETE_MARKER)) !== null;
}

/** Entries of the user's home timeline in Redis, the completeness marker left out. */
export async function homeEntries(redis: Redis, userId: string, prefix = 'feed:'): Promise<string[]> {
  return redis.zrange(new RedisKeys(prefix).home(userId), '(0', '+inf', 'BYSCORE');
}
