import { ApiProperty } from '@nestjs/swagger';
import { ID_SCHEMA } from '../common/ids';
import { FanoutStatusRow } from '../fanout/fanout-status.repository';

export class FanoutStatusView {
  @ApiProperty(ID_SCHEMA) postId: string;
  @ApiProperty({
    enum: ['pending', 'running', 'done', 'skipped'],
    description: '`skipped`: a big account, whose posts are merged into timelines when they are read',
  })
  state: string;
  @ApiProperty({ type: 'integer', minimum: 0, description: 'followers when the fan-out started' }) followers: number;
  @ApiProperty({ type: 'integer', minimum: 0, description: 'followers processed so far' }) delivered: number;
  @ApiProperty({ type: 'string', format: 'date-time', nullable: true }) startedAt: string | null;
  @ApiProperty({ type: 'string', format: 'date-time', nullable: true }) finishedAt: string | null;
  @ApiProperty({ type: 'integer', minimum: 0, nullable: true, description: 'post created → last follower timeline written' })
  delayMs: number | null;
}

export function toFanoutStatusView(row: FanoutStatusRow): FanoutStatusView {
  return {
    postId: row.post_id,
    state: row.state,
    followers: row.followers,
    delivered: row.delivered,
    startedAt: row.started_at?.toISOString() ?? null,
    finishedAt: row.finished_at?.toISOString() ?? null,
    delayMs: row.delay_ms,
  };
}
