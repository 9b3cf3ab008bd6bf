import { Injectable, Logger } from '@nestjs/common';
import { Database } from '../database/database';
import { FOLLOWS_KEPT, RelationKind, StoredRelations, RELATION_KINDS } from './relations';

/**
 * Most ids of one kind loaded for one user. A user blocked or muted by more accounts than this
 * is beyond what a cached list serves; the excess is logged, not loaded (no unbounded query).
 */
export const MAX_RELATIONS = 50_000;

/**
 * Loads a user's relations (both sides of blocks, mutes and hidden reposts, and whom they follow
 * when that is at most FOLLOWS_KEPT accounts) from PostgreSQL.
 */
@Injectable()
export class RelationsRepository {
  private readonly logger = new Logger('Relations');

  constructor(private readonly db: Database) {}

  /** One query, each branch an index range (the pair keys, the *_target_idx, the partial no-reposts indexes). */
  async load(userId: string): Promise<StoredRelations> {
    const rows = await this.db.rows<{ kind: RelationKind | 'follows'; other: string }>(
      `(SELECT 'blocks' AS kind, blocked_id AS other FROM blocks WHERE blocker_id = $1 LIMIT $2)
       UNION ALL (SELECT 'blocks', blocker_id FROM blocks WHERE blocked_id = $1 LIMIT $2)
       UNION ALL (SELECT 'mutes', muted_id FROM mutes WHERE muter_id = $1 LIMIT $2)
       UNION ALL (SELECT 'mutedBy', muter_id FROM mutes WHERE muted_id = $1 LIMIT $2)
       UNION ALL (SELECT 'hidesRepostsOf', followee_id FROM follows WHERE follower_id = $1 AND NOT reposts LIMIT $2)
       UNION ALL (SELECT 'repostsHiddenBy', follower_id FROM follows WHERE followee_id = $1 AND NOT reposts LIMIT $2)
       UNION ALL (SELECT 'follows', followee_id FROM follows WHERE follower_id = $1 LIMIT $3)`,
      [userId, MAX_RELATIONS, FOLLOWS_KEPT + 1],
    );
    const stored = Object.fromEntries(RELATION_KINDS.map((kind) => [kind, [] as string[]])) as unknown as StoredRelations;
    const follows: string[] = [];
    for (const row of rows) (row.kind === 'follows' ? follows : stored[row.kind]).push(row.other);
    for (const kind of RELATION_KINDS) {
      if (stored[kind].length >= MAX_RELATIONS) this.logger.warn({ msg: 'relations truncated', userId, kind, max: MAX_RELATIONS });
    }
    stored.follows = follows.length > FOLLOWS_KEPT ? null : follows;
    return stored;
  }
}
