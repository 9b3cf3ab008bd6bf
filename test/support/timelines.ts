import Redis from 'ioredis';

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
