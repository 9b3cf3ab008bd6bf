import { BadRequestException, Injectable } from '@nestjs/common';
import { staleAccountAs401 } from '../common/stale-account';
import { GraphService } from '../graph/graph.service';
import { MergeFollowee, UnmergeFollowee } from '../jobs/job-catalogue';
import { JobDispatcher } from '../jobs/job-dispatcher';
import { LiveFeedService } from '../realtime/live-feed.service';
import { FeedFilter } from '../timelines/feed-filter.service';
import { TimelineService } from '../timelines/timeline.service';
import { UsersService } from '../users/users.service';

@Injectable()
export class FollowsService {
  constructor(
    private readonly graph: GraphService,
    private readonly users: UsersService,
    private readonly dispatcher: JobDispatcher,
    private readonly timelines: TimelineService,
    private readonly live: LiveFeedService,
    private readonly filter: FeedFilter,
  ) {}

  /**
   * Follows a user (a repeat changes nothing but the reposts flag it names); their recent posts
   * join the timeline in the background. Refused (403) when either blocks the other.
   */
  async follow(followerId: string, username: string, reposts?: boolean): Promise<{ following: true; reposts: boolean }> {
    const followee = await this.users.require(username);
    if (followee.id === followerId) throw new BadRequestException('you cannot follow yourself');
    const { job, stored } = await this.graph
      .change(followerId, followee.id, async (edit) => {
        const result = await edit.follow(followerId, followee.id, reposts);
        const seq = result.seq;
        return { stored: result.reposts, job: seq ? await this.dispatcher.record(edit.tx, MergeFollowee, { followerId, followeeId: followee.id, seq }) : undefined };
      })
      .catch((err) => {
        throw staleAccountAs401(err);
      });
    if (job) {
      // A big followee's posts are merged at read time and pushed to a room: forget the cached
      // list so they show at once, and move the follower's open sockets into the room (not for an
      // account the follower mutes: nothing of it may reach them).
      await this.timelines.forgetBigFollowees(followerId).catch(() => undefined);
      if (this.timelines.isBigAccount(followee.followers_count + 1) && !(await this.filter.hidesAccount(followerId, followee.id))) {
        this.live.followBigAccount(followerId, followee.id, true);
      }
      await this.dispatcher.send(job);
    }
    return { following: true, reposts: stored };
  }

  async unfollow(followerId: string, username: string): Promise<{ following: false }> {
    const followee = await this.users.require(username);
    const job = await this.graph
      .change(followerId, followee.id, async (edit) => {
        const seq = await edit.unfollow(followerId, followee.id);
        return seq ? this.dispatcher.record(edit.tx, UnmergeFollowee, { followerId, followeeId: followee.id, seq }) : undefined;
      })
      .catch((err) => {
        throw staleAccountAs401(err);
      });
    if (job) {
      await this.timelines.forgetBigFollowees(followerId).catch(() => undefined);
      this.live.followBigAccount(followerId, followee.id, false);
      await this.dispatcher.send(job);
    }
    return { following: false };
  }
}
