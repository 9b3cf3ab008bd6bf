import { Injectable } from '@nestjs/common';
import { Database, Tx } from '../database/database';
import { EdgeTable } from './edge-table';

@Injectable()
export class BlocksRepository extends EdgeTable {
  constructor(private readonly database: Database) {
    super(database, 'blocks', 'blocker_id', 'blocked_id');
  }

  /** True when either user blocks the other; in a transaction, it locks nothing but reads its snapshot. */
  async eitherWay(a: string, b: string, tx?: Tx): Promise<boolean> {
    const row = await this.database.one(
      `SELECT 1 FROM blocks WHERE (blocker_id = $1 AND blocked_id = $2) OR (blocker_id = $2 AND blocked_id = $1)`,
      [a, b],
      tx,
    );
    return row !== undefined;
  }
}
