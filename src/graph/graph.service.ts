import { ForbiddenException, Injectable, Logger } from '@nestjs/common';
import { Database, Tx } from '../database/database';
import { BlocksRepository } from './blocks.repository';
import { EdgeListRow, FollowerPage, FollowerSlice, FollowsRepository, RemovedFollow } from './follows.repository';
import { MutesRepository } from './mutes.repository';
import { RelationsCache } from './relations-cache.repository';
import { RelationsRepository } from './relations.repository';
import { Relations, toUserRelations, UserRelations } from './relations';

export const BLOCKED_MESSAGE = 'a block stands between you and this user';

/** The writes of one change of the graph, inside its transaction (see GraphService.change). */
export interface GraphEdit {
  readonly tx: Tx;
  /** Follows, or sets the reposts flag of an existing follow; 403 when a block stands between them. */
  follow(followerId: string, followeeId: string, reposts?: boolean): Promise<{ seq?: string; reposts: boolean }>;
  unfollow(followerId: string, followeeId: string): Promise<string | undefined>;
  /** Blocks, and removes the follows both ways; returns the follows removed. */
  block(blockerId: string, blockedId: string): Promise<{ added: boolean; removed: RemovedFollow[] }>;
  unblock(blockerId: string, blockedId: string): Promise<boolean>;
  /** Returns the new mute's sequence number, or undefined when it existed. */
  mute(muterId: string, mutedId: string): Promise<string | undefined>;
  /** Returns the removed mute's sequence number, or undefined when there was none. */
  unmute(muterId: string, mutedId: string): Promise<string | undefined>;
}

/**
 * The one owner of the social graph: follows (with their reposts flag), blocks and mutes. Every
 * other module asks here, for edges and lists in PostgreSQL and for the relations the feed rules
 * read, cached in Redis per user and loaded once per batch.
 */
@Injectable()
export class GraphService {
  private readonly logger = new Logger('Graph');

  constructor(
    private readonly db: Database,
    private readonly follows: FollowsRepository,
    private readonly blocks: BlocksRepository,
    private readonly mutes: MutesRepository,
    private readonly relations: RelationsRepository,
    private readonly cache: RelationsCache,
  ) {}

  /**
   * Runs one change of the graph between two users as one transaction. It takes a lock of the
   * pair first (an advisory lock keyed by the two ids, never a users row: a viral account's row
   * must not become a queue), so a follow and a block of the same pair never interleave (a
   * follow that checked for a block could otherwise commit beside it).
   *
   * The entries of the relations cache that the change touches are invalidated inside the
   * transaction, before the commit, so a change Redis cannot record is rolled back rather than
   * left unseen by the cache, and again after the commit, for a load that ran in between. A block,
   * a mute or a follow's reposts flag touches both users' entries; a plain follow or unfollow only
   * the follower's (which lists whom they follow), so a viral account's followers do not churn its
   * entry.
   */
  async change<T>(a: string, b: string, work: (edit: GraphEdit) => Promise<T>): Promise<T> {
    const touched = new Set<string>();
    const result = await this.db.transaction(async (tx) => {
      await this.db.execute(
        `SELECT pg_advisory_xact_lock(hashtextextended('graph:' || least($1::bigint, $2::bigint) || ':' || greatest($1::bigint, $2::bigint), 0))`,
        [a, b],
        tx,
      );
      const done = await work(this.edit(tx, (...userIds) => userIds.forEach((id) => touched.add(id))));
      await this.invalidate(touched);
      return done;
    });
    if (touched.size > 0) {
      await this.invalidate(touched).catch((err: Error) =>
        this.logger.warn({ msg: 'could not invalidate cached relations after a change; they expire within the hour', error: err.message }),
      );
    }
    return result;
  }

  /** The relations of these users, from the cache or else PostgreSQL: load them once per batch. */
  async relationsOf(userIds: string[]): Promise<Relations> {
    const unique = [...new Set(userIds)];
    const loaded = await Promise.all(unique.map(async (id): Promise<[string, UserRelations]> => [id, await this.load(id)]));
    return Relations.of(loaded);
  }

  blockedEitherWay(a: string, b: string): Promise<boolean> {
    return this.blocks.eitherWay(a, b);
  }

  isBlocking(blockerId: string, blockedId: string): Promise<boolean> {
    return this.blocks.has(blockerId, blockedId);
  }

  isFollowing(followerId: string, followeeId: string): Promise<boolean> {
    return this.follows.isFollowing(followerId, followeeId);
  }

  followerCount(userId: string): Promise<number> {
    return this.follows.count(userId);
  }

  followerSlices(userId: string, size: number): Promise<FollowerSlice[]> {
    return this.follows.slices(userId, size);
  }

  followerPage(userId: string, afterId: string, uptoId: string | null, limit: number, activeSince: Date): Promise<FollowerPage> {
    return this.follows.page(userId, afterId, uptoId, limit, activeSince);
  }

  /** Which of these users follow the account. */
  followersAmong(accountId: string, userIds: string[]): Promise<string[]> {
    return this.follows.among(accountId, userIds);
  }

  /** Which of these accounts the user follows. */
  followeesAmong(userId: string, accountIds: string[]): Promise<string[]> {
    return this.follows.followeesAmong(userId, accountIds);
  }

  followersList(userId: string, beforeSeq: string | undefined, limit: number): Promise<EdgeListRow[]> {
    return this.follows.followers(userId, beforeSeq, limit);
  }

  followingList(userId: string, beforeSeq: string | undefined, limit: number): Promise<EdgeListRow[]> {
    return this.follows.following(userId, beforeSeq, limit);
  }

  blocksList(userId: string, beforeSeq: string | undefined, limit: number): Promise<EdgeListRow[]> {
    return this.blocks.list(userId, beforeSeq, limit);
  }

  mutesList(userId: string, beforeSeq: string | undefined, limit: number): Promise<EdgeListRow[]> {
    return this.mutes.list(userId, beforeSeq, limit);
  }

  /** The accounts merged at read that this user follows and does not mute (see FollowsRepository.bigFollowees). */
  bigFollowees(userId: string): Promise<string[]> {
    return this.follows.bigFollowees(userId);
  }

  /** The writes of one change; `touch` records whose cached relations it changed. */
  private edit(tx: Tx, touch: (...userIds: string[]) => void): GraphEdit {
    return {
      tx,
      follow: async (followerId, followeeId, reposts) => {
        if (await this.blocks.eitherWay(followerId, followeeId, tx)) throw new ForbiddenException(BLOCKED_MESSAGE);
        const { seq, reposts: stored, relationChanged } = await this.follows.add(tx, followerId, followeeId, reposts);
        if (relationChanged) touch(followerId, followeeId);
        else if (seq !== undefined) touch(followerId);
        return { seq, reposts: stored };
      },
      unfollow: async (followerId, followeeId) => {
        const removed = await this.follows.remove(tx, followerId, followeeId);
        // The followee's entry holds only the follows that hid reposts.
        if (removed) touch(followerId);
        if (removed && !removed.reposts) touch(followeeId);
        return removed?.seq;
      },
      block: async (blockerId, blockedId) => {
        const added = (await this.blocks.add(tx, blockerId, blockedId)) !== undefined;
        const removed = await this.follows.removeBetween(tx, blockerId, blockedId);
        touch(blockerId, blockedId);
        return { added, removed };
      },
      unblock: async (blockerId, blockedId) => {
        const removed = (await this.blocks.remove(tx, blockerId, blockedId)) !== undefined;
        if (removed) touch(blockerId, blockedId);
        return removed;
      },
      mute: async (muterId, mutedId) => {
        const seq = await this.mutes.add(tx, muterId, mutedId);
        if (seq) touch(muterId, mutedId);
        return seq;
      },
      unmute: async (muterId, mutedId) => {
        const seq = await this.mutes.remove(tx, muterId, mutedId);
        if (seq) touch(muterId, mutedId);
        return seq;
      },
    };
  }

  private async invalidate(userIds: Set<string>): Promise<void> {
    await Promise.all([...userIds].map((id) => this.cache.invalidate(id)));
  }

  /** One user's relations: the cache, else PostgreSQL (stored back for the next batch). */
  private async load(userId: string): Promise<UserRelations> {
    let version: string | null = null;
    try {
      const cached = await this.cache.get(userId);
      if (cached.relations) return cached.relations;
      version = cached.version;
    } catch (err) {
      // Without Redis the rules still hold: PostgreSQL answers, at the cost of a query.
      this.logger.warn({ msg: 'relations cache unavailable; loading from PostgreSQL', error: (err as Error).message });
    }
    const stored = await this.relations.load(userId);
    if (version !== null) {
      await this.cache.put(userId, version, stored).catch((err: Error) => this.logger.warn({ msg: 'could not cache relations', error: err.message }));
    }
    return toUserRelations(stored);
  }
}
