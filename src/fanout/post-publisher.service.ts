import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { PostJobData } from '../jobs/job-catalogue';
import { JobDispatcher, PendingJob } from '../jobs/job-dispatcher';
import { PostView } from '../post-store/post.presenter';
import { PostHydrator } from '../post-store/post-hydrator.service';
import { LiveFeedService } from '../realtime/live-feed.service';
import { TimelineService } from '../timelines/timeline.service';
import { FanoutService } from './fanout.service';

/**
 * What happens once a post is stored or deleted, as Mastodon's FanOutOnWriteService follows
 * PostStatusService: the author's own timeline and screens at once, the followers in the
 * background. The Redis steps here are repeated by the background jobs and by rebuilds, so a
 * failure is logged and the request still succeeds: PostgreSQL and the outbox already hold the truth.
 */
@Injectable()
export class PostPublisher {
  private readonly logger = new Logger('PostPublisher');

  constructor(
    private readonly timelines: TimelineService,
    private readonly hydrator: PostHydrator,
    private readonly live: LiveFeedService,
    private readonly fanout: FanoutService,
    private readonly dispatcher: JobDispatcher,
    private readonly config: AppConfig,
  ) {}

  /** A new post (or repost): on its author's timeline and screens now, its fan-out job sent. */
  async published(post: PostView, job: PendingJob): Promise<void> {
    await this.bestEffort('publish to author timeline', () => this.timelines.publish(post.author.id, post.id));
    await this.bestEffort('cache post', () => this.hydrator.remember(post));
    this.live.toAuthor(post);
    if (this.config.fanoutMode === 'inline') {
      await this.fanout.fanoutInline(job.data as PostJobData);
    } else {
      await this.dispatcher.send(job);
    }
  }

  /** Deleted posts (a post with its reposts): gone for readers now, off the timelines in the background. */
  async deleted(posts: PostJobData[], jobs: PendingJob[]): Promise<void> {
    await this.bestEffort('forget posts', () => this.hydrator.forget(posts.map((p) => p.postId)));
    for (const post of posts) {
      await this.bestEffort('retract from author timeline', () => this.timelines.retract(post.authorId, post.postId));
    }
    await this.dispatcher.send(...jobs);
  }

  private async bestEffort(what: string, effect: () => Promise<unknown>): Promise<void> {
    try {
      await effect();
    } catch (err) {
      this.logger.warn({ msg: `${what} failed; background work will repair it`, error: (err as Error).message });
    }
  }
}
