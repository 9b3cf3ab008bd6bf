import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { FollowJobData, JobSpec, MergeFollowee, PostJobData, RetractPost, UnmergeFollowee, UnmergeMuted } from '../jobs/job-catalogue';
import { GraphService } from '../graph/graph.service';
import { JobDispatcher } from '../jobs/job-dispatcher';
import { LiveFeedService } from '../realtime/live-feed.service';
import { FeedFilter } from '../timelines/feed-filter.service';
import { TimelineService } from '../timelines/timeline.service';
import { FanoutStatusRepository } from './fanout-status.repository';

/**
 * The background edits that follow a change of the graph or a delete: what leaves or joins
 * timelines, and the open screens told so. Each may run twice or out of order.
 */
@Injectable()
export class TimelineEditsService {
  constructor(
    private readonly graph: GraphService,
    private readonly filter: FeedFilter,
    private readonly timelines: TimelineService,
    private readonly dispatcher: JobDispatcher,
    private readonly live: LiveFeedService,
    private readonly config: AppConfig,
    private readonly status: FanoutStatusRepository,
  ) {}

  /**
   * A deleted post leaves every timeline it may have reached, and every screen showing it. Only a
   * post that was fanned out costs a walk over the followers. One whose fan-out never ran wrote
   * nothing (the fan-out finds it deleted), and a big account's post was never written: one emit to
   * its room clears the screens, and the few timelines that hold it (merged on follow) drop it
   * when they are read.
   */
  async retractPost(job: PostJobData): Promise<void> {
    const fanout = await this.status.find(job.postId);
    // Walking now could pass followers that a running batch is about to write: BullMQ retries.
    if (fanout?.state === 'running') throw new Error('fan-out of the deleted post still running; retracting after it');
    await this.timelines.retract(job.authorId, job.postId);
    this.live.retractFromBigAccountFollowers(job.authorId, job.postId);
    await this.live.retract([job.authorId], job.postId);
    if (fanout?.state !== 'done') return this.dispatcher.done(RetractPost, job);
    let cursor = '0';
    for (;;) {
      // Every follower, active or not: an inactive user's old timeline may hold the post too.
      const page = await this.graph.followerPage(job.authorId, cursor, null, this.config.fanoutBatchSize, new Date(0));
      if (page.lastId === null) break;
      await this.timelines.unpush(page.ids, job.postId);
      await this.live.retract(page.ids, job.postId);
      cursor = page.lastId;
    }
    await this.dispatcher.done(RetractPost, job);
  }

  /** After a follow, or an unmute (`spec` RemergeFollowee): the account's recent posts join the timeline. */
  async mergeFollowee(job: FollowJobData, spec: JobSpec<FollowJobData> = MergeFollowee): Promise<void> {
    // Jobs of one follower may run out of order: the graph as it is now decides. An account the
    // follower mutes is followed but not merged: its posts stay out of the home (rule 5).
    if ((await this.graph.isFollowing(job.followerId, job.followeeId)) && !(await this.filter.hidesAccount(job.followerId, job.followeeId))) {
      await this.timelines.merge(job.followerId, job.followeeId);
    }
    await this.dispatcher.done(spec, job);
  }

  async unmergeFollowee(job: FollowJobData): Promise<void> {
    if (!(await this.graph.isFollowing(job.followerId, job.followeeId))) {
      const removed = await this.timelines.unmerge(job.followerId, job.followeeId);
      for (const postId of removed) await this.live.retract([job.followerId], postId);
    }
    await this.dispatcher.done(UnmergeFollowee, job);
  }

  /**
   * After a mute: the muted account's posts leave the muter's timeline and open screens. Reads
   * already hide them (the feed rules); this keeps the Redis window to what a read shows, so pages
   * stay full. The graph as it is now decides: an unmute since leaves them.
   */
  async unmergeMuted(job: FollowJobData): Promise<void> {
    if (await this.filter.hidesAccount(job.followerId, job.followeeId)) {
      const removed = await this.timelines.unmerge(job.followerId, job.followeeId);
      for (const postId of removed) await this.live.retract([job.followerId], postId);
    }
    await this.dispatcher.done(UnmergeMuted, job);
  }
}
