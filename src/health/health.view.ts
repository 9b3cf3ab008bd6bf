import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

const DEPENDENCIES = ['postgres', 'redis'];

export class HealthView {
  @ApiProperty({ enum: ['ok', 'unavailable'] }) status: 'ok' | 'unavailable';
  @ApiProperty({ enum: ['up', 'down'] }) postgres: 'up' | 'down';
  @ApiProperty({ enum: ['up', 'down'] }) redis: 'up' | 'down';
  @ApiPropertyOptional({ type: 'array', items: { type: 'string', enum: DEPENDENCIES }, description: 'what is down, when anything is' })
  down?: string[];
}
