import { ApiProperty } from '@nestjs/swagger';
import { ID_SCHEMA } from '../common/ids';

/** A home_markers row as the repository returns it. */
export interface MarkerRow {
  last_read_id: string;
  updated_at: Date;
}

export class MarkerView {
  @ApiProperty({ ...ID_SCHEMA, nullable: true, description: 'the newest post read; it may have been deleted since' })
  lastReadId: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) updatedAt: string | null;
}

/** No row: the user never set a marker. */
export function toMarkerView(row: MarkerRow | undefined): MarkerView {
  return row ? { lastReadId: row.last_read_id, updatedAt: row.updated_at.toISOString() } : { lastReadId: null, updatedAt: null };
}
