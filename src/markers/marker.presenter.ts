import { ApiProperty } from '@nestjs/swagger';

/** A home_markers row as the repository returns it. */
export interface MarkerRow {
  last_read_id: string;
  updated_at: Date;
}

export class MarkerView {
  @ApiProperty({ type: String, nullable: true, example: '7212345678901234' }) lastReadId: string | null;
  @ApiProperty({ type: String, nullable: true }) updatedAt: string | null;
}

/** No row: the user never set a marker. */
export function toMarkerView(row: MarkerRow | undefined): MarkerView {
  return row ? { lastReadId: row.last_read_id, updatedAt: row.updated_at.toISOString() } : { lastReadId: null, updatedAt: null };
}
