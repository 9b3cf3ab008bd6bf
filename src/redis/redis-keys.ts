/**
 * Every Redis key we own, in one place. Keys of one user share the hash tag `{u:ID}` so a
 * multi-key command on them lands in one Redis Cluster slot; a post's cache entry is tagged by post.
 */
export class RedisKeys {
  constructor(
    readonly prefix: string,
    private readonly db = 0,
  ) {}

  home(userId: string): string {
    return `${this.prefix}{u:${userId}}:home`;
  }

  /** The rebuild lock of a key; it shares the key's hash tag. */
  lock(key: string): string {
    return `${key}:lock`;
  }

  authorPosts(userId: string): string {
    return `${this.prefix}{u:${userId}}:posts`;
  }

  /** The big accounts a user follows, cached briefly for read-time merging. */
  bigFollowees(userId: string): string {
    return `${this.prefix}{u:${userId}}:big`;
  }

  /** The accounts currently treated as big, and a counter bumped whenever that set changes. */
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

  /** Who is connected to the live feed: one sorted set for all users. */
  online(): string {
    return `${this.prefix}{presence}:online`;
  }

  /** The users a post was already pushed to live, so retries and passes never push it twice. */
  livePushes(postId: string): string {
    return `${this.prefix}{p:${postId}}:live`;
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
    return `${this.prefix}{p:${postId}}`;
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
