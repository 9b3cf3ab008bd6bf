import { BadRequestException, Injectable } from '@nestjs/common';
import { decodeCursor } from '../common/cursor';
import { Page, toPage } from '../common/page';
import { PageQueryDto } from '../common/page-query.dto';
import { staleAccountAs401 } from '../common/stale-account';
import { GraphEdit, GraphService } from '../graph/graph.service';
import { RemergeFollowee, UnmergeFollowee, UnmergeMuted } from '../jobs/job-catalogue';
import { JobDispatcher, PendingJob } from '../jobs/job-dispatcher';
import { LiveFeedService } from '../realtime/live-feed.service';
import { TimelineService } from '../timelines/timeline.service';
import { UserRow, UserView, toUserView } from '../users/user.presenter';
import { UsersService } from '../users/users.service';

/**
 * Blocks and mutes: the graph changes (GraphService) and what follows them. The feed rules apply
 * them on every path from the moment they commit (the relations cache is invalidated with the
 * commit); the background edits here only keep the Redis timelines close to what the rules show.
 */
@Injectable()
export class SafetyService {
  constructor(
    private readonly graph: GraphService,
    private readonly users: UsersService,
    private readonly dispatcher: JobDispatcher,
    private readonly timelines: TimelineService,
    private readonly live: LiveFeedService,
  ) {}

  /**
   * Blocks a user: the follows both ways go in the same transaction, and each one's posts leave
   * the other's timeline as after an unfollow (an UnmergeFollowee job per follow removed).
   */
  async block(userId: string, username: string): Promise<{ blocking: true }> {
    const other = await this.target(userId, username, 'block');
    const jobs = await this.change(userId, other.id, async (edit) => {
      const { removed } = await edit.block(userId, other.id);
      const recorded: PendingJob[] = [];
      for (const follow of removed) recorded.push(await this.dispatcher.record(edit.tx, UnmergeFollowee, follow));
      return recorded;
    });
    await Promise.all([this.timelines.forgetBigFollowees(userId), this.timelines.forgetBigFollowees(other.id)]).catch(() => undefined);
    this.live.followBigAccount(userId, other.id, false);
    this.live.followBigAccount(other.id, userId, false);
    if (jobs.length > 0) await this.dispatcher.send(...jobs);
    return { blocking: true };
  }

  async unblock(userId: string, username: string): Promise<{ blocking: false }> {
    const other = await this.target(userId, username, 'unblock');
    await this.change(userId, other.id, (edit) => edit.unblock(userId, other.id));
    return { blocking: false };
  }

  /**
   * Mutes a user: nothing is unfollowed and they are not told. Their posts stay out of the home
   * from the commit on (the feed rules), and leave the Redis timeline in the background.
   */
  async mute(userId: string, username: string): Promise<{ muting: true }> {
    const other = await this.target(userId, username, 'mute');
    const job = await this.change(userId, other.id, async (edit) => {
      const seq = await edit.mute(userId, other.id);
      return seq ? this.dispatcher.record(edit.tx, UnmergeMuted, { followerId: userId, followeeId: other.id, seq }) : undefined;
    });
    if (job) {
      // A muted big account is no longer merged in nor pushed through its room.
      await this.timelines.forgetBigFollowees(userId).catch(() => undefined);
      this.live.followBigAccount(userId, other.id, false);
      await this.dispatcher.send(job);
    }
    return { muting: true };
  }

  /** Unmutes: a followed account's recent posts join the timeline again, as after a follow. */
  async unmute(userId: string, username: string): Promise<{ muting: false }> {
    const other = await this.target(userId, username, 'unmute');
    const job = await this.change(userId, other.id, async (edit) => {
      const seq = await edit.unmute(userId, other.id);
      return seq ? this.dispatcher.record(edit.tx, RemergeFollowee, { followerId: userId, followeeId: other.id, seq }) : undefined;
    });
    if (job) {
      await this.timelines.forgetBigFollowees(userId).catch(() => undefined);
      if (this.timelines.isBigAccount(other.followers_count) && (await this.graph.isFollowing(userId, other.id))) {
        this.live.followBigAccount(userId, other.id, true);
      }
      await this.dispatcher.send(job);
    }
    return { muting: false };
  }

  async blocks(userId: string, page: PageQueryDto): Promise<Page<UserView>> {
    const rows = await this.graph.blocksList(userId, decodeCursor(page.cursor), page.limit + 1);
    return toPage(rows, page.limit, (r) => r.seq, toUserView);
  }

  async mutes(userId: string, page: PageQueryDto): Promise<Page<UserView>> {
    const rows = await this.graph.mutesList(userId, decodeCursor(page.cursor), page.limit + 1);
    return toPage(rows, page.limit, (r) => r.seq, toUserView);
  }

  private async target(userId: string, username: string, verb: string): Promise<UserRow> {
    const other = await this.users.require(username);
    if (other.id === userId) throw new BadRequestException(`you cannot ${verb} yourself`);
    return other;
  }

  private change<T>(a: string, b: string, work: (edit: GraphEdit) => Promise<T>): Promise<T> {
    return this.graph.change(a, b, work).catch((err) => {
      throw staleAccountAs401(err);
    });
  }
}
