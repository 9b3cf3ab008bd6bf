import { Module } from '@nestjs/common';
import { PostCacheRepository } from './post-cache.repository';
import { PostHydrator } from './post-hydrator.service';
import { PostsRepository } from './posts.repository';

/** Where posts are stored and read back: PostgreSQL rows and their Redis cache. */
@Module({
  providers: [PostsRepository, PostCacheRepository, PostHydrator],
  exports: [PostsRepository, PostHydrator],
})
export class PostStoreModule {}
