import { BadRequestException, Injectable } from '@nestjs/common';
import { staleAccountAs401 } from '../common/stale-account';
import { Database } from '../database/database';
import { MergeFollowee, UnmergeFollowee } from '../jobs/job-catalogue';
import { JobDispatcher } from '../jobs/job-dispatcher';
import { LiveFeedService } from '../realtime/live-feed.service';
import { TimelineService } from '../timelines/timeline.service';
import { UsersService } from '../users/users.service';
import { FollowsRepository } from './follows.repository';

@Injectable()
export class FollowsService {
  constructor(
    private readonly db: Database,
    private readonly follows: FollowsRepository,
    private readonly users: UsersService,
    private readonly dispatcher: JobDispatcher,
    private readonly timelines: TimelineService,
    private readonly live: LiveFeedService,
  ) {}

  /** Follows a user (a repeat changes nothing); their recent posts join the timeline in the background. */
  async follow(followerId: string, username: string): Promise<{ following: true }> {
    const followee = await this.users.require(username);
    if (followee.id === followerId) throw new BadRequestException('you cannot follow yourself');
    const job = await this.db.transaction(async (tx) => {
      const seq = await this.follows.add(tx, followerId, followee.id);
      return seq ? this.dispatcher.record(tx, MergeFollowee, { followerId, followeeId: followee.id, seq }) : undefined;
    }).catch((err) => {
      throw staleAccountAs401(err);
    });
    if (job) {
      // A big followee's posts are merged at read time and pushed to a room: forget the cached
      // list so they show at once, and move the follower's open sockets into the room.
      await this.timelines.forgetBigFollowees(followerId).catch(() => undefined);
      if (this.timelines.isBigAccount(followee.followers_count + 1)) this.live.followBigAccount(followerId, followee.id, true);
      await this.dispatcher.send(job);
    }
    return { following: true };
  }

  async unfollow(followerId: string, username: string): Promise<{ following: false }> {
    const followee = await this.users.require(username);
    const job = await this.db.transaction(async (tx) => {
      const seq = await this.follows.remove(tx, followerId, followee.id);
      return seq ? this.dispatcher.record(tx, UnmergeFollowee, { followerId, followeeId: followee.id, seq }) : undefined;
    });
    if (job) {
      await this.timelines.forgetBigFollowees(followerId).catch(() => undefined);
      this.live.followBigAccount(followerId, followee.id, false);
      await this.dispatcher.send(job);
    }
    return { following: false };
  }
}
