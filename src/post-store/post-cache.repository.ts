import { Injectable } from '@nestjs/common';
import { RedisClient } from '../redis/redis-client';
import { RedisBatch } from '../redis/redis-batch';
import { RedisKeys } from '../redis/redis-keys';
import { PostView } from './post.presenter';

/** Cached posts expire so the cache holds what is read, not every post ever written. */
const POST_TTL_S = 3 * 24 * 3600;
/** A deleted or unknown id is remembered briefly, so timelines still holding it skip PostgreSQL. */
const GONE_TTL_S = 3600;
const GONE = '-';

export type CachedPost = PostView | 'gone' | undefined;

@Injectable()
export class PostCacheRepository {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {}

  /** Looks every id up in one round trip: a post, 'gone', or undefined for a miss (a failed read is one). */
  async getMany(ids: string[]): Promise<CachedPost[]> {
    if (ids.length === 0) return [];
    const values = await RedisBatch.getMany(
      this.redis,
      ids.map((id) => this.keys.post(id)),
    );
    return values.map((raw) => {
      if (typeof raw !== 'string') return undefined;
      // Entries cached before version 2 lack replyTo and repostOf: they were neither.
      return raw === GONE ? 'gone' : ({ replyTo: null, repostOf: null, ...JSON.parse(raw) } as PostView);
    });
  }

  async putMany(posts: PostView[], goneIds: string[] = []): Promise<void> {
    if (posts.length === 0 && goneIds.length === 0) return;
    const batch = new RedisBatch(this.redis);
    for (const post of posts) batch.add('set', this.keys.post(post.id), JSON.stringify(post), 'EX', POST_TTL_S);
    for (const id of goneIds) batch.add('set', this.keys.post(id), GONE, 'EX', GONE_TTL_S);
    await batch.exec();
  }

  async markGone(ids: string[]): Promise<void> {
    await this.putMany([], ids);
  }
}
