import { Module } from '@nestjs/common';
import { FollowCountsFolder } from './follow-counts.folder';
import { FollowCountsRepository } from './follow-counts.repository';

/** The background half of the follow counts: the folder, loaded with the workers. */
@Module({
  providers: [FollowCountsRepository, FollowCountsFolder],
  exports: [FollowCountsRepository, FollowCountsFolder],
})
export class FollowCountsModule {}
