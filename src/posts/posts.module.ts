import { Module } from '@nestjs/common';
import { FanoutModule } from '../fanout/fanout.module';
import { GraphModule } from '../graph/graph.module';
import { JobsModule } from '../jobs/jobs.module';
import { PostStoreModule } from '../post-store/post-store.module';
import { UsersModule } from '../users/users.module';
import { PostsController } from './posts.controller';
import { PostsService } from './posts.service';

@Module({
  imports: [PostStoreModule, UsersModule, FanoutModule, GraphModule, JobsModule],
  controllers: [PostsController],
  providers: [PostsService],
})
export class PostsModule {}
