import { Database, Tx } from '../database/database';
import { PENDING, USER_COLUMNS } from '../users/users.repository';
import type { EdgeListRow } from './follows.repository';

/**
 * A one-way edge between two users with no payload: a block or a mute. Both tables have the same
 * shape (see the BlocksMutesReposts migration), so one class writes and pages either.
 */
export abstract class EdgeTable {
  protected constructor(
    private readonly db: Database,
    private readonly table: 'blocks' | 'mutes',
    private readonly actor: string,
    private readonly target: string,
  ) {}

  /** Adds the edge; returns its sequence number, or undefined when it already existed. */
  async add(tx: Tx, actorId: string, targetId: string): Promise<string | undefined> {
    const row = await this.db.one<{ seq: string }>(
      `INSERT INTO ${this.table} (${this.actor}, ${this.target}) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING seq`,
      [actorId, targetId],
      tx,
    );
    return row?.seq;
  }

  async has(actorId: string, targetId: string): Promise<boolean> {
    const row = await this.db.one(`SELECT 1 FROM ${this.table} WHERE ${this.actor} = $1 AND ${this.target} = $2`, [actorId, targetId]);
    return row !== undefined;
  }

  /** Removes the edge; returns its sequence number, or undefined when there was none. */
  async remove(tx: Tx, actorId: string, targetId: string): Promise<string | undefined> {
    const row = await this.db.one<{ seq: string }>(
      `DELETE FROM ${this.table} WHERE ${this.actor} = $1 AND ${this.target} = $2 RETURNING seq`,
      [actorId, targetId],
      tx,
    );
    return row?.seq;
  }

  /** The users this one points at, newest edge first, keyset-paged on the edge's sequence number. */
  list(actorId: string, beforeSeq: string | undefined, limit: number): Promise<EdgeListRow[]> {
    return this.db.rows<EdgeListRow>(
      `SELECT ${USER_COLUMNS}, e.seq FROM ${this.table} e JOIN users u ON u.id = e.${this.target} ${PENDING}
       WHERE e.${this.actor} = $1 AND ($2::bigint IS NULL OR e.seq < $2)
       ORDER BY e.seq DESC LIMIT $3`,
      [actorId, beforeSeq ?? null, limit],
    );
  }
}
