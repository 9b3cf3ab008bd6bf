import { Injectable } from '@nestjs/common';
import { ParsedTexts } from '../common/parsed-texts';
import { RedisClient } from '../redis/redis-client';
import { RedisBatch } from '../redis/redis-batch';
import { RedisKeys } from '../redis/redis-keys';
import { PostView } from './post.presenter';

/** Cached posts expire so the cache holds what is read, not every post ever written. */
const POST_TTL_S = 3 * 24 * 3600;
/** A deleted or unknown id is remembered briefly, so timelines still holding it skip PostgreSQL. */
const GONE_TTL_S = 3600;
const GONE = '-';
/** The cached text of the posts a process keeps parsed (see parsed): 10,000 posts or so, about 10 MB parsed. */
const PARSED_TEXT_KEPT = 4_000_000;

export type CachedPost = PostView | 'gone' | undefined;

@Injectable()
export class PostCacheRepository {
  /**
   * Posts parsed lately: the same posts are on many readers' pages, and parsing them took an
   * eighth of the API's time per page. They are shared between requests, so they are frozen.
   */
  private readonly parsed = new ParsedTexts(PARSED_TEXT_KEPT, parsePost);

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {}

  /**
   * Looks every id up in one round trip: a post, 'gone', or undefined for a miss (a failed read is
   * one). Ids in `known` are not read again: their entries (null where none) came with the ids.
   */
  async getMany(ids: string[], known?: ReadonlyMap<string, string | null>): Promise<CachedPost[]> {
    const unread = known ? ids.filter((id) => !known.has(id)) : ids;
    const values = unread.length === 0 ? [] : await RedisBatch.getMany(this.redis, unread.map((id) => this.keys.post(id)));
    let next = 0;
    return ids.map((id) => {
      const raw = known?.has(id) ? known.get(id) : values[next++];
      if (typeof raw !== 'string') return undefined;
      return raw === GONE ? 'gone' : this.parsed.get(id, raw);
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

/** Entries cached before version 2 lack replyTo and repostOf: they were neither. */
function parsePost(raw: string): PostView {
  return deepFreeze({ replyTo: null, repostOf: null, ...JSON.parse(raw) } as PostView);
}

function deepFreeze<T extends object>(value: T): T {
  for (const field of Object.values(value)) if (field !== null && typeof field === 'object') deepFreeze(field as object);
  return Object.freeze(value);
}
