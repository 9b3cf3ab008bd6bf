import { Injectable, Logger } from '@nestjs/common';
import { PostCacheRepository } from './post-cache.repository';
import { PostView, toPostView } from './post.presenter';
import { PostsRepository } from './posts.repository';

/** Turns post ids into posts: one Redis round trip, then one PostgreSQL query for the misses. */
@Injectable()
export class PostHydrator {
  private readonly logger = new Logger('PostHydrator');

  constructor(
    private readonly cache: PostCacheRepository,
    private readonly posts: PostsRepository,
  ) {}

  /**
   * Posts in the order of the ids; deleted and unknown ids are left out. `known`: cache entries
   * already read (see PostCacheRepository.getMany).
   */
  async hydrate(ids: string[], known?: ReadonlyMap<string, string | null>): Promise<PostView[]> {
    const cached = await this.cache.getMany(ids, known);
    const missing = ids.filter((_, i) => cached[i] === undefined);
    const loaded = new Map<string, PostView>();
    if (missing.length > 0) {
      const rows = await this.posts.findLiveMany(missing);
      for (const row of rows) loaded.set(row.id, toPostView(row));
      const gone = missing.filter((id) => !loaded.has(id));
      // Not awaited: filling the cache is for the next reader, and this one need not wait for it.
      void this.cache
        .putMany([...loaded.values()], gone)
        .catch((err: Error) => this.logger.warn({ msg: 'could not fill the post cache', error: err.message }));
    }
    const result: PostView[] = [];
    ids.forEach((id, i) => {
      const hit = cached[i];
      const post = hit === undefined ? loaded.get(id) : hit === 'gone' ? undefined : hit;
      if (post) result.push(post);
    });
    return result;
  }

  /**
   * Posts read once and seldom again, such as pages deep in a reader's history: straight from
   * PostgreSQL in one query, leaving the cache to what is read often. Same order and omissions
   * as hydrate.
   */
  async hydrateCold(ids: string[]): Promise<PostView[]> {
    if (ids.length === 0) return [];
    const loaded = new Map((await this.posts.findLiveMany(ids)).map((row) => [row.id, toPostView(row)]));
    return ids.flatMap((id) => loaded.get(id) ?? []);
  }

  async remember(post: PostView): Promise<void> {
    await this.cache.putMany([post]);
  }

  /** Deleted posts: readers of timelines that still hold them skip them without asking PostgreSQL. */
  async forget(postIds: string[]): Promise<void> {
    await this.cache.markGone(postIds);
  }
}
