import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { GraphService } from '../graph/graph.service';
import { AccountJobData } from '../jobs/job-catalogue';
import { MERGE_ON_FOLLOW, TimelineService } from '../timelines/timeline.service';
import { BigAccountsRepository } from './big-accounts.repository';

/** Followers written per Redis round trip: each gets up to MERGE_ON_FOLLOW ids, two commands each. */
const SETTLE_BATCH = 50;

/**
 * Rule 6: an author who stops being big keeps every post in their followers' timelines. While big,
 * their posts were skipped by fan-out and merged at read; they stay merged (users.merged_at_read)
 * until this job has put the posts written while big into the followers' timelines, the way a
 * follow merges a followee's recent posts, and only then stop being merged. No post is missing at
 * any moment in between.
 */
@Injectable()
export class AccountSettleService {
  private readonly logger = new Logger('AccountSettle');

  constructor(
    private readonly accounts: BigAccountsRepository,
    private readonly graph: GraphService,
    private readonly timelines: TimelineService,
    private readonly config: AppConfig,
  ) {}

  async settle(job: AccountJobData): Promise<void> {
    if (!(await this.accounts.isMerged(job.authorId))) return;
    if (this.timelines.isBigAccount(await this.graph.followerCount(job.authorId))) return;
    const found = await this.accounts.skippedPostIds(job.authorId, MERGE_ON_FOLLOW + 1);
    const ids = found.slice(0, MERGE_ON_FOLLOW);
    const activeSince = new Date(Date.now() - this.config.fanoutInactiveDays * 86_400_000);
    let cursor = '0';
    let followers = 0;
    for (;;) {
      // Inactive followers are skipped as fan-out skips them: their timelines are rebuilt when they return.
      const page = await this.graph.followerPage(job.authorId, cursor, null, SETTLE_BATCH, activeSince);
      if (page.lastId === null) break;
      await this.timelines.mergeInto(page.ids, ids, found.length <= MERGE_ON_FOLLOW);
      cursor = page.lastId;
      followers += page.ids.length;
    }
    // A post skipped after `found` was read (the author grew again) keeps the author merged.
    if (await this.accounts.unmarkMerged(job.authorId, found[0] ?? '0')) await this.timelines.bigAccountsChanged();
    this.logger.log({ msg: 'account no longer merged at read', authorId: job.authorId, posts: ids.length, followers });
  }
}
