import { RedisBatch } from '../../src/redis/redis-batch';
import { END_OF_HISTORY, REBUILDING } from '../../src/timelines/timeline-scripts';
import { TestRedis } from './test-redis';

/**
 * Helpers that look into the timelines of a test's apps. They take the test's client (env.redis()),
 * whose keys carry the test's prefix, and batch through RedisBatch, so they work on one Redis and on
 * the cluster alike.
 */

/** Gives users an (empty, complete) home timeline, as active users have, so fan-out writes to it. */
export async function createTimelines(redis: TestRedis, userIds: string[]): Promise<void> {
  for (let i = 0; i < userIds.length; i += 5000) {
    const batch = new RedisBatch(redis);
    for (const id of userIds.slice(i, i + 5000)) batch.add('rpush', redis.keys.home(id), END_OF_HISTORY);
    await batch.execOrThrow();
  }
}

/** How many of these users' timelines hold the post. */
export async function countHolding(redis: TestRedis, userIds: string[], postId: string): Promise<number> {
  let holding = 0;
  for (let i = 0; i < userIds.length; i += 5000) {
    const batch = new RedisBatch(redis);
    for (const id of userIds.slice(i, i + 5000)) batch.add('lpos', redis.keys.home(id), postId);
    for (const position of await batch.execOrThrow()) if (position !== null) holding++;
  }
  return holding;
}

/**
 * What a Redis flush takes from these users and posts, key by key (home timeline, own post list,
 * cached big followees, rebuild locks, cached posts), so it never touches another test's keys.
 */
export async function forgetInRedis(redis: TestRedis, lost: { users?: string[]; posts?: string[] }): Promise<void> {
  const { keys } = redis;
  const batch = new RedisBatch(redis);
  for (const id of lost.users ?? []) {
    for (const key of [keys.home(id), keys.lock(keys.home(id)), keys.authorPosts(id), keys.lock(keys.authorPosts(id)), keys.bigFollowees(id)]) {
      batch.add('del', key);
    }
  }
  for (const id of lost.posts ?? []) batch.add('del', keys.post(id));
  await batch.execOrThrow();
}

/** Holds a timeline's rebuild lock as if another node were rebuilding it; returns the release. */
export async function holdRebuildLock(redis: TestRedis, userId: string): Promise<() => Promise<void>> {
  const lock = redis.keys.lock(redis.keys.home(userId));
  await redis.set(lock, 'test', 'PX', 60_000);
  return async () => {
    await redis.del(lock);
  };
}

/** Whether the user's home timeline is in Redis and complete (rebuilt). */
export async function isHomeComplete(redis: TestRedis, userId: string): Promise<boolean> {
  const tail = await redis.lindex(redis.keys.home(userId), -1);
  return tail !== null && tail !== REBUILDING;
}

/** Entries of the user's home timeline in Redis, oldest first, its sentinel left out. */
export async function homeEntries(redis: TestRedis, userId: string): Promise<string[]> {
  return (await redis.lrange(redis.keys.home(userId), 0, -1)).filter((id) => Number(id) > 0).reverse();
}
