import { Injectable } from '@nestjs/common';
import { Database } from '../database/database';
import { EdgeTable } from './edge-table';

@Injectable()
export class MutesRepository extends EdgeTable {
  constructor(database: Database) {
    super(database, 'mutes', 'muter_id', 'muted_id');
  }
}
