import { Injectable } from '@nestjs/common';
import { ParsedTexts } from '../common/parsed-texts';
import { RedisClient } from '../redis/redis-client';
import { RedisKeys } from '../redis/redis-keys';
import { StoredRelations, toUserRelations, UserRelations } from './relations';

/** Cached relations are dropped after this; a change drops them at once (see invalidate). */
const RELATIONS_TTL_S = 3600;
/**
 * The cached text of the relations a process keeps parsed: a reader's entry is read on each of
 * their pages, and one with a following of 1,000 is some 20,000 characters to parse into sets.
 */
const PARSED_TEXT_KEPT = 2_000_000;
/** Outlives any cached entry by far, so an entry stamped before a change can never match again. */
const VERSION_TTL_S = 7 * 24 * 3600;

export interface CachedRelations {
  relations: UserRelations | null;
  /** The version to store a freshly loaded entry at. */
  version: string;
}

/**
 * Each user's relations in Redis, stamped with a per-user version that every change of the graph
 * bumps after its commit. A loader reads the version before PostgreSQL and stores what it loaded
 * under that version; an entry whose stamp is not the current version is a miss. So a load that
 * raced a change (read the old graph, stored after the bump) is never served. Both keys carry
 * the user's hash tag: each user's read is one round trip to one slot.
 */
@Injectable()
export class RelationsCache {
  /** Entries parsed lately, shared by every request that reads them: never mutated. */
  private readonly parsed = new ParsedTexts(PARSED_TEXT_KEPT, (text) => toUserRelations(JSON.parse(text) as StoredRelations));

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {}

  async get(userId: string): Promise<CachedRelations> {
    const [[entryError, raw], [versionError, version]] = (await this.redis
      .pipeline()
      .get(this.keys.relations(userId))
      .get(this.keys.relationsVersion(userId))
      .exec()) as [[Error | null, string | null], [Error | null, string | null]];
    // A pipeline reports a failed command in place rather than rejecting: say what failed.
    if (entryError || versionError) throw entryError ?? versionError;
    const current = version ?? '0';
    if (raw === null) return { relations: null, version: current };
    const bar = raw.indexOf('|');
    if (raw.slice(0, bar) !== current) return { relations: null, version: current };
    return { relations: this.parsed.get(userId, raw.slice(bar + 1)), version: current };
  }

  async put(userId: string, version: string, relations: StoredRelations): Promise<void> {
    await this.redis.set(this.keys.relations(userId), `${version}|${JSON.stringify(relations)}`, 'EX', RELATIONS_TTL_S);
  }

  /** After a change of the user's relations has committed: every cached copy is stale. */
  async invalidate(userId: string): Promise<void> {
    const version = this.keys.relationsVersion(userId);
    const results = await this.redis.multi().incr(version).expire(version, VERSION_TTL_S).del(this.keys.relations(userId)).exec();
    for (const [err] of results ?? []) if (err) throw err;
  }
}
