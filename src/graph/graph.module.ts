import { Module } from '@nestjs/common';
import { BlocksRepository } from './blocks.repository';
import { FollowsRepository } from './follows.repository';
import { GraphService } from './graph.service';
import { MutesRepository } from './mutes.repository';
import { RelationsCache } from './relations-cache.repository';
import { RelationsRepository } from './relations.repository';

/** The social graph: its tables and its relations cache, behind GraphService. */
@Module({
  providers: [FollowsRepository, BlocksRepository, MutesRepository, RelationsRepository, RelationsCache, GraphService],
  exports: [GraphService],
})
export class GraphModule {}
