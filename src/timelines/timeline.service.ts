import { Injectable, Logger, ServiceUnavailableException } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppConfig } from '../config/app-config';
import { RedisKeys } from '../redis/redis-keys';
import { FeedSourceRepository } from './feed-source.repository';
import { RangeQuery, TimelineRepository } from './timeline.repository';

/** Posts merged into a timeline when its owner follows someone. */
export const MERGE_ON_FOLLOW = 200;
/** How long a rebuild may hold its lock; a crashed rebuilder frees it after this. */
const REBUILD_LOCK_MS = 10_000;
/** How long a reader waits for someone else's rebuild before giving up with a 503. */
const REBUILD_WAIT_MS = 5_000;
const REBUILD_POLL_MS = 25;
/**
 * How long the list of big accounts a user follows is kept. It is dropped sooner when the user
 * follows or unfollows, and ignored when any account becomes big or stops being big.
 */
const BIG_FOLLOWEES_TTL_S = 600;
/** Activity is written to PostgreSQL at most this often per user. */
const ACTIVITY_PERIOD_S = 3600;

export interface TimelinePage {
  ids: string[];
  /** True when older ids may exist beyond this page. */
  hasMore: boolean;
}

/**
 * Every rule of what goes into which timeline lives here, as Mastodon keeps them in FeedManager.
 * Home timelines and each author's own post list are sorted sets of post ids capped at
 * TIMELINE_MAX_LENGTH; posts of big accounts are not pushed but merged in when a timeline is read.
 */
@Injectable()
export class TimelineService {
  private readonly logger = new Logger('Timelines');
  private readonly max: number;

  constructor(
    private readonly timelines: TimelineRepository,
    private readonly source: FeedSourceRepository,
    private readonly keys: RedisKeys,
    private readonly config: AppConfig,
  ) {
    this.max = config.timelineMaxLength;
  }

  isBigAccount(followersCount: number): boolean {
    return followersCount > this.config.fanoutCelebrityThreshold;
  }

  /**
   * Records whether an author is big, as their fan-out finds them. A change invalidates every
   * user's cached list of big followees, so the author's skipped posts are merged at once.
   * Returns true when the author changed sides.
   */
  async noteAccountSize(authorId: string, followersCount: number): Promise<boolean> {
    return this.timelines.toggleMember(
      this.keys.bigAccounts(),
      this.keys.bigAccountsVersion(),
      authorId,
      this.isBigAccount(followersCount),
    );
  }

  /** A new post: on its author's own home timeline and post list at once. */
  async publish(authorId: string, postId: string): Promise<void> {
    await this.timelines.addToMany([this.keys.home(authorId), this.keys.authorPosts(authorId)], [postId], this.max);
  }

  /** Puts a post on many home timelines in one round trip. */
  async push(userIds: string[], postId: string): Promise<void> {
    await this.timelines.addToMany(
      userIds.map((id) => this.keys.home(id)),
      [postId],
      this.max,
    );
  }

  async unpush(userIds: string[], postId: string): Promise<void> {
    await this.timelines.removeFromMany(
      userIds.map((id) => this.keys.home(id)),
      [postId],
    );
  }

  /** Removes a deleted post from its author's own timeline and post list. */
  async retract(authorId: string, postId: string): Promise<void> {
    await this.timelines.removeFromMany([this.keys.home(authorId), this.keys.authorPosts(authorId)], [postId]);
  }

  /** After a follow: the followee's recent posts join the follower's timeline. */
  async merge(followerId: string, followeeId: string): Promise<void> {
    await this.forgetBigFollowees(followerId);
    const ids = await this.source.authorPostIds(followeeId, MERGE_ON_FOLLOW);
    await this.timelines.addToMany([this.keys.home(followerId)], ids, this.max);
  }

  /** After an unfollow: the followee's posts leave the follower's timeline; returns the ids removed. */
  async unmerge(followerId: string, followeeId: string): Promise<string[]> {
    await this.forgetBigFollowees(followerId);
    const ids = await this.source.authorPostIds(followeeId, this.max);
    return this.timelines.removeFrom(this.keys.home(followerId), ids);
  }

  /**
   * A page of a home timeline, newest first: the stored ids merged with the recent posts of the
   * big accounts the user follows. A timeline that is missing is rebuilt first.
   */
  async readHome(userId: string, query: RangeQuery): Promise<TimelinePage> {
    const big = await this.bigFolloweesOf(userId);
    const sources = [this.keys.home(userId), ...big.map((id) => this.keys.authorPosts(id))];
    const wanted = { ...query, limit: query.limit + 1 };
    let ranges = await this.timelines.ranges(sources, wanted);
    if (ranges.some((r) => r === null)) {
      await Promise.all(
        ranges.map((r, i) => (r === null ? (i === 0 ? this.populateHome(userId) : this.populateAuthor(big[i - 1])) : null)),
      );
      ranges = await this.timelines.ranges(sources, wanted);
    }
    return mergeNewestFirst(ranges.map((r) => r ?? []), query.limit);
  }

  /**
   * Records that the user reads their timeline. Fan-out skips inactive users, so the timeline of a
   * user coming back after that is stale: it is dropped here and rebuilt by the read that follows.
   */
  async noteActivity(userId: string): Promise<void> {
    if (!(await this.timelines.firstIn(this.keys.lastSeen(userId), ACTIVITY_PERIOD_S))) return;
    const previous = await this.source.touch(userId);
    if (previous && this.wasInactive(previous)) {
      await this.timelines.delete(this.keys.home(userId));
      this.logger.log({ msg: 'returning user: timeline will be rebuilt', userId });
    }
  }

  wasInactive(lastActiveAt: Date): boolean {
    return Date.now() - lastActiveAt.getTime() > this.config.fanoutInactiveDays * 86_400_000;
  }

  /** Rebuilds a missing home timeline from PostgreSQL, once: concurrent readers wait for it. */
  populateHome(userId: string): Promise<void> {
    return this.populate(this.keys.home(userId), () => this.source.homePostIds(userId, this.max));
  }

  populateAuthor(authorId: string): Promise<void> {
    return this.populate(this.keys.authorPosts(authorId), () => this.source.authorPostIds(authorId, this.max));
  }

  async forgetBigFollowees(userId: string): Promise<void> {
    await this.timelines.delete(this.keys.bigFollowees(userId));
  }

  /** The big accounts this user follows, whose posts are merged at read and pushed to a shared room. */
  async bigFolloweesOf(userId: string): Promise<string[]> {
    const key = this.keys.bigFollowees(userId);
    const cached = await this.timelines.cachedList(key, this.keys.bigAccountsVersion());
    if (cached.ids) return cached.ids;
    const ids = await this.source.bigFollowees(userId, this.config.fanoutCelebrityThreshold);
    await this.timelines.cacheList(key, cached.current, ids, BIG_FOLLOWEES_TTL_S);
    return ids;
  }

  private async populate(key: string, load: () => Promise<string[]>): Promise<void> {
    const deadline = Date.now() + REBUILD_WAIT_MS;
    // Whoever takes the lock rebuilds; the others wait for the marker, and take over if the
    // rebuilder failed and let the lock go.
    while (!(await this.timelines.lock(key, REBUILD_LOCK_MS))) {
      if (Date.now() > deadline) throw new ServiceUnavailableException('timeline is being rebuilt; retry shortly');
      await sleep(REBUILD_POLL_MS);
      if (await this.timelines.isComplete(key)) return;
    }
    try {
      if (await this.timelines.isComplete(key)) return;
      const started = Date.now();
      const ids = await load();
      await this.timelines.fill(key, ids, this.max);
      this.logger.log({ msg: 'rebuilt timeline', key, entries: ids.length, ms: Date.now() - started });
    } finally {
      await this.timelines.unlock(key);
    }
  }
}

/** Merges id lists that are each newest first into one page, without duplicates. */
export function mergeNewestFirst(lists: string[][], limit: number): TimelinePage {
  const unique = new Set<string>();
  for (const list of lists) for (const id of list) unique.add(id);
  const sorted = [...unique].sort((a, b) => compareIdsDesc(a, b));
  return { ids: sorted.slice(0, limit), hasMore: sorted.length > limit };
}

function compareIdsDesc(a: string, b: string): number {
  return a.length !== b.length ? b.length - a.length : a < b ? 1 : a > b ? -1 : 0;
}
