import { ApiProperty } from '@nestjs/swagger';
import { FanoutStatusRow } from '../fanout/fanout-status.repository';

export class FanoutStatusView {
  @ApiProperty() postId: string;
  @ApiProperty({ enum: ['pending', 'running', 'done', 'skipped'] }) state: string;
  @ApiProperty({ description: 'followers when the fan-out started' }) followers: number;
  @ApiProperty({ description: 'followers processed so far' }) delivered: number;
  @ApiProperty({ nullable: true }) startedAt: string | null;
  @ApiProperty({ nullable: true }) finishedAt: string | null;
  @ApiProperty({ nullable: true, description: 'post created → last follower timeline written' }) delayMs: number | null;
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
