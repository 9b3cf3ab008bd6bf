import { groupBy } from '../common/group-by';

/**
 * Every Redis key we own, in one place. Keys of one user share the hash tag `{u:ID}` so a
 * multi-key command on them lands in one Redis Cluster slot; a post's cache entry is tagged by post.
 */
export class RedisKeys {
  constructor(
    readonly prefix: string,
    private readonly db = 0,
  ) {}

  /**
   * A user's home timeline. Lists since version 2 of the timeline structure: the old sorted sets
   * at `:home` and `:posts` are never read again and expire (README, "Choosing the timeline structure").
   */
  home(userId: string): string {
    return `${this.prefix}{u:${userId}}:home-list`;
  }

  /** Rule 2's index of the reposts in a home timeline: original id → the repost of it added, as the score. */
  homeReposts(userId: string): string {
    return `${this.prefix}{u:${userId}}:reposts`;
  }

  /** The rebuild lock of a key; it shares the key's hash tag. */
  lock(key: string): string {
    return `${key}:lock`;
  }

  authorPosts(userId: string): string {
    return `${this.prefix}{u:${userId}}:posts-list`;
  }

  /** The big accounts a user follows, cached briefly for read-time merging. */
  bigFollowees(userId: string): string {
    return `${this.prefix}{u:${userId}}:big`;
  }

  /**
   * The accounts currently treated as big, and a counter bumped whenever that set changes. These
   * stay single keys in one slot: the set is small, changes rarely and is read only when a user's
   * cached big followees are recomputed; the version must be one counter for every reader to agree
   * on; and the two must share a slot for the change and its bump to stay together.
   */
  bigAccounts(): string {
    return `${this.prefix}{big}:accounts`;
  }

  bigAccountsVersion(): string {
    return `${this.prefix}{big}:version`;
  }

  /** A user's cached relations (blocks, mutes, hidden reposts; see RelationsCache) and their version. */
  relations(userId: string): string {
    return `${this.prefix}{u:${userId}}:rel`;
  }

  relationsVersion(userId: string): string {
    return `${this.prefix}{u:${userId}}:relv`;
  }

  lastSeen(userId: string): string {
    return `${this.prefix}{u:${userId}}:seen`;
  }

  /**
   * Who is connected to the live feed: one sorted set per shard of users (see shardOf), each
   * with a hash tag of its own, so that on a cluster presence is spread over the masters instead
   * of one hot slot that every fan-out batch and every heartbeat hits.
   */
  online(shard: number): string {
    return `${this.prefix}{presence:${shard}}:online`;
  }

  /**
   * The users a post was already pushed to live, so retries and passes never push it twice. One
   * set per shard of users: a big post's pushes are spread over the cluster, not one slot.
   */
  livePushes(postId: string, shard: number): string {
    return `${this.prefix}{p:${postId}:${shard}}:live`;
  }

  /** The shard (0 to shards - 1) of an id: FNV-1a of its digits, so ids spread evenly whatever their pattern. */
  static shardOf(id: string, shards: number): number {
    let hash = 0x811c9dc5;
    for (let i = 0; i < id.length; i++) hash = Math.imul(hash ^ id.charCodeAt(i), 0x01000193);
    return (hash >>> 0) % shards;
  }

  /** The ids grouped by shard (see shardOf), each group in the order given. */
  static byShard(ids: string[], shards: number): Map<number, string[]> {
    return groupBy(ids, (id) => RedisKeys.shardOf(id, shards));
  }

  /**
   * The prefix of one kind of rate limit's counters; the library appends `:<subject>`. Each counter
   * is a key of its own, touched by single-key commands only, so any Cluster slot holds it.
   */
  rateLimit(kind: string): string {
    return `${this.prefix}rl:${kind}`;
  }

  /** The user's open /feed sockets on every node: socket id scored by when its slot runs out. */
  socketSlots(userId: string): string {
    return `${this.prefix}{u:${userId}}:sockets`;
  }

  post(postId: string): string {
    const [before, after] = this.postKeyParts();
    return `${before}${postId}${after}`;
  }

  /** What comes before and after the id in a post's cache key, for a script that makes the keys. */
  postKeyParts(): [string, string] {
    return [`${this.prefix}{p:`, '}'];
  }

  /** BullMQ's prefix: one hash tag keeps each queue's keys in one slot. */
  queuePrefix(): string {
    return `{${this.prefix}q}`;
  }

  /**
   * The Socket.IO adapter's channel prefix. Pub/sub ignores the database number, so the number
   * is part of the channel: two deployments on two databases of one Redis never hear each other.
   */
  socketChannel(): string {
    return `${this.prefix}socket.io:db${this.db}`;
  }
}
