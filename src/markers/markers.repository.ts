import { Injectable } from '@nestjs/common';
import { Database } from '../database/database';
import { MarkerRow } from './marker.presenter';

@Injectable()
export class MarkersRepository {
  constructor(private readonly db: Database) {}

  find(userId: string): Promise<MarkerRow | undefined> {
    return this.db.one<MarkerRow>('SELECT last_read_id, updated_at FROM home_markers WHERE user_id = $1', [userId]);
  }

  /** Sets the marker, the last write winning, as Mastodon's markers do. */
  async save(userId: string, lastReadId: string): Promise<MarkerRow> {
    const row = await this.db.one<MarkerRow>(
      `INSERT INTO home_markers (user_id, last_read_id) VALUES ($1, $2)
       ON CONFLICT (user_id) DO UPDATE SET last_read_id = EXCLUDED.last_read_id, updated_at = clock_timestamp()
       RETURNING last_read_id, updated_at`,
      [userId, lastReadId],
    );
    return row!;
  }
}
