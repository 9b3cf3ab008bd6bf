import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { GraphService } from '../graph/graph.service';
import { RedisKeys } from '../redis/redis-keys';
import { FeedSourceRepository } from './feed-source.repository';
import { RangeQuery, TimelineRepository, WindowRange } from './timeline.repository';

/** Posts merged into a timeline when its owner follows someone. */
export const MERGE_ON_FOLLOW = 200;
/** How long a rebuild may hold its lock; a crashed rebuilder frees it after this. */
const REBUILD_LOCK_MS = 10_000;
/**
 * How long the list of big accounts a user follows is kept. It is dropped sooner when the user
 * follows or unfollows, and ignored when any account becomes big or stops being big.
 */
const BIG_FOLLOWEES_TTL_S = 600;
/** Activity is written to PostgreSQL at most this often per user. */
const ACTIVITY_PERIOD_S = 3600;

/**
 * What Redis can tell of a page: the ids it holds that can be trusted, and where that stops.
 *
 * The seam rule. Every set a home page is read from (the home timeline, and the post list of each
 * big account followed) holds every post that belongs in it from its own oldest entry up: writers
 * add at the top and trim at the bottom, a rebuild writes the newest entries of the truth, and the
 * one writer that adds only part of a range (the follow backfill) cuts the timeline to where it is
 * whole (merge, below). So the merged sets are the truth from the highest of their oldest entries
 * up: that entry is the seam. Ids at or above it come from Redis, ids below it from PostgreSQL.
 * A set that reaches the end of history (it holds everything down to the start) sets no seam of
 * its own; when every set does, the seam is END_OF_HISTORY and PostgreSQL is not asked at all. A
 * set that is missing vouches for nothing, and then the whole page comes from PostgreSQL (seam null).
 */
export interface HomeWindow {
  /** Ids at or above the seam, below `before` and above `since`, newest first, at most `limit`. */
  ids: string[];
  /** The lowest id Redis answers for: END_OF_HISTORY when it answers for all; null when for none. */
  seam: string | null;
  /** Sets the read found missing, for repair(); null when none was. */
  missing: MissingSets | null;
  /**
   * The post cache's entries the read brought with the home timeline's ids (null where none), by
   * id: on one Redis, a page of a reader who follows no big account costs one round trip when its
   * posts are cached. Absent on a cluster.
   */
  cachedPosts?: ReadonlyMap<string, string | null>;
}

/** What a read found missing in Redis. */
export interface MissingSets {
  userId: string;
  /** The user's home timeline. */
  home: boolean;
  /** Post lists of big accounts the user follows. */
  authors: string[];
  /** Set when the user's cached big followees were missing too: the version to cache them at. */
  bigAccountsVersion?: string;
}

const UNTRUSTED = { ids: [], seam: null };

/**
 * Every rule of what goes into which timeline lives here, as Mastodon keeps them in FeedManager.
 * Home timelines and each author's own post list are lists of post ids capped at
 * TIMELINE_MAX_LENGTH; posts of big accounts are not pushed but merged in when a timeline is read.
 */
@Injectable()
export class TimelineService implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Timelines');
  private readonly max: number;
  /**
   * How long a home timeline or an author's post list lives in Redis without its owner's activity
   * (a read of the home timeline, a post): one day more than FANOUT_INACTIVE_DAYS. Fan-out stops
   * writing to a user's timeline after FANOUT_INACTIVE_DAYS without activity, so by then the set
   * is stale anyway (noteActivity drops it when they come back), and once it has expired no push
   * recreates it. A missing set is rebuilt from PostgreSQL by the read that finds it (readWindow,
   * repair), and so are sets written before this expiry existed, on their owner's next activity.
   */
  readonly ttlSeconds: number;
  /** Rebuilds and activity writes running in the background, awaited at shutdown. */
  private readonly background = new Set<Promise<void>>();

  constructor(
    private readonly timelines: TimelineRepository,
    private readonly source: FeedSourceRepository,
    private readonly graph: GraphService,
    private readonly keys: RedisKeys,
    private readonly config: AppConfig,
  ) {
    this.max = config.timelineMaxLength;
    this.ttlSeconds = (config.fanoutInactiveDays + 1) * 86_400;
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

  /** A new post: on its author's own home timeline and post list at once; posting keeps both alive. */
  async publish(authorId: string, postId: string): Promise<void> {
    await this.timelines.addToMany([this.keys.home(authorId), this.keys.authorPosts(authorId)], [postId], this.max, this.ttlSeconds);
  }

  /** Puts a post on many home timelines in one round trip. */
  async push(userIds: string[], postId: string): Promise<void> {
    await this.timelines.addToMany(
      userIds.map((id) => this.keys.home(id)),
      [postId],
      this.max,
    );
  }

  /**
   * Puts a repost on many home timelines in one round trip, except those that hold its original or
   * another repost of it among their newest REPOST_DEDUP_WINDOW entries (rule 2); returns the
   * users it was put before, the only ones to push it to live.
   */
  async pushRepost(userIds: string[], postId: string, originalId: string): Promise<string[]> {
    const added = new Set(
      await this.timelines.addRepostToMany(
        userIds.map((id) => ({ home: this.keys.home(id), reposts: this.keys.homeReposts(id) })),
        postId,
        originalId,
        this.config.repostDedupWindow,
        this.max,
        this.ttlSeconds,
      ),
    );
    return userIds.filter((id) => added.has(this.keys.home(id)));
  }

  async unpush(userIds: string[], postId: string): Promise<void> {
    await this.timelines.removeFromMany(
      userIds.map((id) => this.keys.home(id)),
      [postId],
    );
  }

  /**
   * Lazy clean-up: deleted posts a read found in the user's timeline leave it, in the background.
   * Deleting a post that was never fanned out (a big account's) walks no followers; the few
   * timelines that hold it anyway (merged on follow) lose it here when they are next read.
   */
  dropGone(userId: string, postIds: string[]): void {
    if (postIds.length === 0) return;
    this.inBackground('drop deleted posts', userId, () => this.timelines.removeFromMany([this.keys.home(userId)], postIds));
  }

  /** Removes a deleted post from its author's own timeline and post list. */
  async retract(authorId: string, postId: string): Promise<void> {
    await this.timelines.removeFromMany([this.keys.home(authorId), this.keys.authorPosts(authorId)], [postId]);
  }

  /**
   * After a follow: the followee's recent posts join the follower's timeline. When the followee has
   * older posts than those merged, the timeline is cut below the oldest merged one, so that it still
   * holds everything from its oldest entry up (the seam rule, see HomeWindow); the older posts
   * are read from PostgreSQL when the reader pages that far.
   */
  async merge(followerId: string, followeeId: string): Promise<void> {
    await this.forgetBigFollowees(followerId);
    const ids = await this.source.authorPostIds(followeeId, MERGE_ON_FOLLOW + 1);
    const merged = ids.slice(0, MERGE_ON_FOLLOW);
    const cutBelow = ids.length > MERGE_ON_FOLLOW ? merged[merged.length - 1] : undefined;
    await this.timelines.merge(this.keys.home(followerId), merged, this.max, cutBelow);
  }

  /**
   * Merges an author's posts into many followers' timelines, as a follow does for one (see merge):
   * `ids` newest first, and `complete` false when the author has older posts of the same kind
   * than those given, so each timeline is cut below the oldest one merged.
   */
  async mergeInto(followerIds: string[], ids: string[], complete: boolean): Promise<void> {
    const cutBelow = complete ? undefined : ids[ids.length - 1];
    await this.timelines.mergeMany(
      followerIds.map((id) => this.keys.home(id)),
      ids,
      this.max,
      cutBelow,
    );
  }

  /** The set of accounts merged at read changed: every cached list of big followees is stale. */
  async bigAccountsChanged(): Promise<void> {
    await this.timelines.bump(this.keys.bigAccountsVersion());
  }

  /** After an unfollow: the followee's posts leave the follower's timeline; returns the ids removed. */
  async unmerge(followerId: string, followeeId: string): Promise<string[]> {
    await this.forgetBigFollowees(followerId);
    const ids = await this.source.authorPostIds(followeeId, this.max);
    return this.timelines.removeFrom(this.keys.home(followerId), ids);
  }

  /**
   * What Redis holds of a home page: the stored ids merged with the recent posts of the big
   * accounts the user follows, cut at the seam (see HomeWindow). When a set is missing the window
   * vouches for nothing, the caller reads the page from PostgreSQL and then has the missing sets
   * rebuilt (repair).
   */
  async readWindow(userId: string, query: RangeQuery): Promise<HomeWindow> {
    // The home range is read with the list of big followees, not after it: a reader who follows no
    // big account (most readers) gets the whole window in one round trip.
    const [cached, [home]] = await Promise.all([
      this.timelines.cachedList(this.keys.bigFollowees(userId), this.keys.bigAccountsVersion()),
      this.timelines.ranges([this.keys.home(userId)], query, true),
    ]);
    let big = cached.ids;
    if (big === null) {
      // A reader whose timeline is gone (back after a long absence, Redis flushed) is served from
      // PostgreSQL at once; their big followees are looked up later, not on this read's time.
      if (home === null) return { ...UNTRUSTED, missing: { userId, home: true, authors: [], bigAccountsVersion: cached.current } };
      big = await this.loadBigFollowees(userId, cached.current);
    }
    const ranges = [home, ...(big.length === 0 ? [] : await this.timelines.ranges(big.map((id) => this.keys.authorPosts(id)), query))];
    const authors = big.filter((_, i) => ranges[i + 1] === null);
    const missing = home === null || authors.length > 0 ? { userId, home: home === null, authors } : null;
    return { ...cutAtSeam(ranges, query.limit), missing, cachedPosts: cachedPostsOf(home) };
  }

  /**
   * Rebuilds in the background what a read found missing, once, whoever asks and on whichever
   * node. Readers call it after their page is read, so that the rebuild's queries do not compete
   * with the page's own.
   */
  repair(missing: MissingSets): void {
    if (missing.home) this.populateHome(missing.userId, missing.bigAccountsVersion);
    for (const authorId of missing.authors) this.populateAuthor(authorId);
  }

  /**
   * Records that the user reads their timeline, and keeps it from expiring (see ttlSeconds). Fan-out
   * skips inactive users, so the timeline of a user coming back after that is stale: it is dropped
   * here, and true is answered so that the read rebuilds it.
   * The activity itself is written in the background: the read needs only the time it replaces,
   * not to wait for a commit.
   */
  async noteActivity(userId: string): Promise<boolean> {
    if (!(await this.timelines.firstIn(this.keys.lastSeen(userId), ACTIVITY_PERIOD_S))) return false;
    const previous = await this.source.lastActiveAt(userId);
    this.inBackground('record activity', userId, () => this.source.touch(userId));
    if (previous && this.wasInactive(previous)) {
      await this.timelines.delete(this.keys.home(userId));
      this.logger.log({ msg: 'returning user: timeline will be rebuilt', userId });
      return true;
    }
    // The timeline's index of reposts (rule 2) lives as long as the timeline.
    await this.timelines.expire([this.keys.home(userId), this.keys.homeReposts(userId)], this.ttlSeconds);
    return false;
  }

  wasInactive(lastActiveAt: Date): boolean {
    return Date.now() - lastActiveAt.getTime() > this.config.fanoutInactiveDays * 86_400_000;
  }

  /**
   * Starts rebuilding a missing home timeline from PostgreSQL, unless a rebuild already runs. Given
   * the version of the set of big accounts, it also caches the big accounts the user follows: the
   * read that found the timeline missing skipped them, and the next one must not pay for them.
   */
  populateHome(userId: string, bigAccountsVersion?: string): void {
    const key = this.keys.home(userId);
    this.inBackground('timeline rebuild', key, async () => {
      await Promise.all([
        this.rebuild(key, () => this.source.homePostIds(userId, { limit: this.max })),
        bigAccountsVersion === undefined ? undefined : this.loadBigFollowees(userId, bigAccountsVersion),
      ]);
    });
  }

  populateAuthor(authorId: string): void {
    const key = this.keys.authorPosts(authorId);
    this.inBackground('timeline rebuild', key, () => this.rebuild(key, () => this.source.authorPostIds(authorId, this.max)));
  }

  async forgetBigFollowees(userId: string): Promise<void> {
    await this.timelines.delete(this.keys.bigFollowees(userId));
  }

  /** The big accounts this user follows, whose posts are merged at read and pushed to a shared room. */
  async bigFolloweesOf(userId: string): Promise<string[]> {
    const cached = await this.timelines.cachedList(this.keys.bigFollowees(userId), this.keys.bigAccountsVersion());
    return cached.ids ?? (await this.loadBigFollowees(userId, cached.current));
  }

  /** Waits for the rebuilds running in the background, so the connections they use stay open. */
  async beforeApplicationShutdown(): Promise<void> {
    await Promise.allSettled([...this.background]);
  }

  /** Caches the list at the version of the set of big accounts it was computed against. */
  private async loadBigFollowees(userId: string, version: string): Promise<string[]> {
    const ids = await this.graph.bigFollowees(userId);
    await this.timelines.cacheList(this.keys.bigFollowees(userId), version, ids, BIG_FOLLOWEES_TTL_S);
    return ids;
  }

  /** Runs work without holding up the read that asked for it; a failure is logged, and the next read retries. */
  private inBackground(what: string, subject: string, work: () => Promise<void>): void {
    const running = work()
      .catch((err: Error) => this.logger.warn({ msg: `${what} failed; the next read retries`, subject, error: err.message }))
      .finally(() => this.background.delete(running));
    this.background.add(running);
  }

  /**
   * Rebuilds a set from PostgreSQL once, whoever asks and on whichever node: the lock's holder
   * rebuilds, the others go on reading from PostgreSQL meanwhile. A rebuild that fails leaves the
   * set incomplete, so the next read starts another; one whose process dies frees the lock when
   * it expires. A follow or unfollow that lands while PostgreSQL is read drops the set (see
   * TimelineRepository.removeFrom), and the rebuild then leaves it to the next read.
   */
  private async rebuild(key: string, load: () => Promise<string[]>): Promise<void> {
    if (!(await this.timelines.lock(key, REBUILD_LOCK_MS))) return;
    try {
      if (!(await this.timelines.beginRebuild(key, this.ttlSeconds))) return;
      const started = Date.now();
      const ids = await load();
      if (await this.timelines.fill(key, ids, this.max, this.ttlSeconds)) {
        this.logger.log({ msg: 'rebuilt timeline', key, entries: ids.length, ms: Date.now() - started });
      } else {
        this.logger.log({ msg: 'rebuild overtaken by a follow or unfollow; the next read rebuilds the timeline', key });
      }
    } finally {
      await this.timelines.unlock(key);
    }
  }
}

/**
 * Merges the ranges (each newest first) into one, keeping only what lies at or above the seam:
 * the highest of the sets' oldest entries (END_OF_HISTORY, the lowest of all, for a set that holds
 * everything). A set missing vouches for nothing.
 */
export function cutAtSeam(ranges: (WindowRange | null)[], limit: number): Omit<HomeWindow, 'missing'> {
  let seam: string | null = null;
  for (const range of ranges) {
    if (range === null) return UNTRUSTED;
    if (seam === null || compareIds(range.oldest, seam) > 0) seam = range.oldest;
  }
  if (seam === null) return UNTRUSTED;
  const floor = seam;
  const unique = new Set<string>();
  for (const range of ranges) for (const id of range!.ids) if (compareIds(id, floor) >= 0) unique.add(id);
  return { ids: [...unique].sort((a, b) => compareIds(b, a)).slice(0, limit), seam };
}

function cachedPostsOf(range: WindowRange | null): ReadonlyMap<string, string | null> | undefined {
  const entries = range?.cachedPosts;
  return entries && new Map(range.ids.map((id, i) => [id, entries[i]]));
}

/** Numeric order of decimal id strings without leading zeros: longer is larger. */
export function compareIds(a: string, b: string): number {
  return a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0;
}
