import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { ChunkJobData, FanoutChunk, FanoutPost, PostJobData, SettleAccount } from '../jobs/job-catalogue';
import { JobDispatcher } from '../jobs/job-dispatcher';
import { JobQueue } from '../jobs/job-queue';
import { GraphService } from '../graph/graph.service';
import { FanoutMetrics } from '../metrics/fanout.metrics';
import { PostView } from '../post-store/post.presenter';
import { PostHydrator } from '../post-store/post-hydrator.service';
import { LiveFeedService } from '../realtime/live-feed.service';
import { FeedFilter } from '../timelines/feed-filter.service';
import { TimelineService } from '../timelines/timeline.service';
import { BigAccountsRepository } from './big-accounts.repository';
import { FanoutStatusRepository } from './fanout-status.repository';

/**
 * Fan-out on write. A post's followers are cut into chunks by follower id; each chunk is written
 * batch by batch (one Redis round trip a batch) and checkpointed, so a retried job resumes where it
 * stopped and a replayed batch changes nothing. Every method here may run twice. Each batch goes
 * through the feed rules (FeedFilter) with the relations loaded once for it, so a block or mute
 * made while a fan-out runs holds from the next batch on.
 * (Follow, unfollow and delete edits are in TimelineEditsService.)
 */
@Injectable()
export class FanoutService {
  private readonly logger = new Logger('Fanout');

  constructor(
    private readonly status: FanoutStatusRepository,
    private readonly graph: GraphService,
    private readonly filter: FeedFilter,
    private readonly timelines: TimelineService,
    private readonly queue: JobQueue,
    private readonly dispatcher: JobDispatcher,
    private readonly metrics: FanoutMetrics,
    private readonly hydrator: PostHydrator,
    private readonly live: LiveFeedService,
    private readonly config: AppConfig,
    private readonly accounts: BigAccountsRepository,
  ) {}

  /**
   * Plans a post's fan-out. A following of one chunk is written right here; a bigger one goes to
   * the bulk workers, chunk by chunk, so it never holds a slot that small posts need.
   */
  async fanoutPost(job: PostJobData): Promise<void> {
    const current = await this.status.find(job.postId);
    if (!current || current.state === 'done' || current.state === 'skipped') {
      await this.dispatcher.done(FanoutPost, job);
      return;
    }
    const live = (await this.postView(job.postId)) !== undefined;
    if (!live && current.state === 'pending') {
      // Deleted before its fan-out ran: it is written into no timeline, not even its author's.
      await this.dispatcher.done(FanoutPost, job);
      return;
    }
    // Also done inline at post time; repeated here for posts whose inline write missed (Redis down).
    if (live) await this.timelines.publish(job.authorId, job.postId);

    const followers = await this.graph.followerCount(job.authorId);
    const big = this.timelines.isBigAccount(followers);
    // Marked before the post is skipped: whoever reads the followees anew then merges it.
    if (big && current.state === 'pending') await this.accounts.markMerged(job.authorId);
    const changedSides = await this.timelines.noteAccountSize(job.authorId, followers);
    if (!big && (await this.accounts.isMerged(job.authorId))) await this.queue.requeue(SettleAccount, { authorId: job.authorId });
    if (current.state === 'pending' && big) {
      if (changedSides) await this.moveOnlineFollowersToRoom(job.authorId);
      if (await this.status.skip(job.postId, followers)) {
        this.metrics.skipped.inc();
        const post = await this.postView(job.postId);
        if (post) await this.pushBigAccountPost(post, changedSides);
      }
      await this.dispatcher.done(FanoutPost, job);
      return;
    }
    if (current.state === 'running') {
      // A resumed fan-out (relay, retry): its chunks may be running on bulk workers right now,
      // so they are only requeued (a no-op for a job still alive), never run a second time here.
      const open = (await this.status.chunks(job.postId)).filter((c) => !c.done);
      for (const chunk of open) await this.queue.requeue(FanoutChunk, { ...job, chunkNo: chunk.chunk_no });
      return;
    }
    // The online followers are served while the walk through all of them is planned, not before:
    // the plan's queries no longer wait for the online pass, nor the bulk workers for both.
    await Promise.all([followers > this.config.fanoutBatchSize ? this.serveOnlineFirst(job) : undefined, this.planWalk(job, followers)]);
  }

  /** Cuts the followers into chunks and starts them: the only one here, or all on the bulk workers. */
  private async planWalk(job: PostJobData, followers: number): Promise<void> {
    const slices = await this.graph.followerSlices(job.authorId, this.config.fanoutChunkSize);
    await this.status.start(job.postId, followers, slices);
    const open = (await this.status.chunks(job.postId)).filter((c) => !c.done);
    if (open.length === 1) return this.runChunk({ ...job, chunkNo: open[0].chunk_no });
    // A plan made just now: none of its chunks was ever enqueued, so one round trip enqueues them all.
    await this.queue.addMany(FanoutChunk, open.map((chunk) => ({ ...job, chunkNo: chunk.chunk_no })));
  }

  /**
   * FANOUT_MODE=inline, a baseline for the benchmarks only: the whole fan-out in one go, inside
   * the request, the way a naive service would do it.
   */
  async fanoutInline(job: PostJobData): Promise<void> {
    const followers = await this.graph.followerCount(job.authorId);
    await this.status.start(job.postId, followers, [{ afterId: '0', uptoId: null }]);
    await this.runChunk({ ...job, chunkNo: 0 });
  }

  /** Writes one chunk of followers, batch by batch, from its checkpoint. */
  async runChunk(job: ChunkJobData): Promise<void> {
    const chunk = await this.status.chunk(job.postId, job.chunkNo);
    if (!chunk) return;
    if (!chunk.done) {
      const activeSince = new Date(Date.now() - this.config.fanoutInactiveDays * 86_400_000);
      // The next page is read from PostgreSQL while this one is written to Redis. A page read ahead
      // and then not needed (the post was deleted, a write failed) must not fail the process.
      const readAhead = (cursor: string) => {
        const page = this.graph.followerPage(job.authorId, cursor, chunk.upto_id, this.config.fanoutBatchSize, activeSince);
        page.catch(() => undefined);
        return page;
      };
      let delivered = chunk.delivered;
      let next = readAhead(chunk.cursor_id);
      for (;;) {
        // Asked again every batch (from the post cache): a post deleted meanwhile stops here, and
        // its retraction waits for this chunk to finish before it walks the followers.
        const post = await this.postView(job.postId);
        if (!post) break;
        const page = await next;
        if (page.lastId === null) break;
        next = readAhead(page.lastId);
        await this.write(page.ids, post);
        delivered += page.scanned;
        await this.status.checkpoint(job.postId, job.chunkNo, page.lastId, delivered);
        this.metrics.deliveries.inc(page.scanned);
      }
    }
    const finished = await this.status.finishChunk(job.postId, job.chunkNo);
    if (finished?.state === 'done') {
      await this.dispatcher.done(FanoutPost, job);
      if (finished.delay_ms !== null) this.metrics.observeDelay(finished.delay_ms, finished.followers);
      this.logger.log({ msg: 'fan-out done', postId: job.postId, followers: finished.followers, delayMs: finished.delay_ms });
    }
  }

  /**
   * Beside the long walk through every follower: the followers online right now get the post
   * (timeline and push) at once, so a live reader of a huge account never waits behind the
   * timelines of offline users. The walk does not push to them again (the delivery ledger), and
   * writing a timeline twice changes nothing.
   */
  private async serveOnlineFirst(job: PostJobData): Promise<void> {
    const post = await this.postView(job.postId);
    if (!post) return;
    const online = await this.onlineFollowers(job.authorId);
    for (let i = 0; i < online.length; i += this.config.fanoutBatchSize) {
      await this.write(online.slice(i, i + this.config.fanoutBatchSize), post);
    }
  }

  /**
   * One batch of followers: those the feed rules let the post reach get it in their timelines, in
   * one round trip, and pushed live. A repost is added only where rule 2's dedup lets it in, and
   * pushed only there.
   */
  private async write(followerIds: string[], post: PostView): Promise<void> {
    const readers = await this.filter.readersOf(post, followerIds);
    if (post.repostOf) {
      await this.live.deliver(await this.timelines.pushRepost(readers, post.id, post.repostOf.id), post);
      return;
    }
    await this.timelines.push(readers, post.id);
    await this.live.deliver(readers, post);
  }

  /**
   * A big account's post goes live to its room, minus the readers the rules keep out; a reply to
   * another account, which reaches only the followers who also follow that account (rule 1), goes
   * to those of them online instead. So does the first post of an author who just became big: the
   * room joins sent a moment ago may reach the API nodes after a room emit (on a Redis Cluster,
   * pub/sub channels are not ordered with each other).
   */
  private async pushBigAccountPost(post: PostView, justBecameBig: boolean): Promise<void> {
    if (!justBecameBig && this.filter.fitsRoom(post)) {
      this.live.toBigAccountFollowers(post, await this.filter.keptOut(post));
      return;
    }
    const online = await this.onlineFollowers(post.author.id);
    for (let i = 0; i < online.length; i += this.config.fanoutBatchSize) {
      await this.live.deliver(await this.filter.readersOf(post, online.slice(i, i + this.config.fanoutBatchSize)), post);
    }
  }

  /** An author who just became big: followers already connected join the author's room now. */
  private async moveOnlineFollowersToRoom(authorId: string): Promise<void> {
    for (const id of await this.onlineFollowers(authorId)) this.live.followBigAccount(id, authorId, true);
  }

  private async onlineFollowers(authorId: string): Promise<string[]> {
    const online = await this.live.onlineUsers();
    const followers: string[] = [];
    for (let i = 0; i < online.length; i += this.config.fanoutBatchSize) {
      followers.push(...(await this.graph.followersAmong(authorId, online.slice(i, i + this.config.fanoutBatchSize))));
    }
    return followers;
  }

  private async postView(postId: string): Promise<PostView | undefined> {
    return (await this.hydrator.hydrate([postId]))[0];
  }
}
