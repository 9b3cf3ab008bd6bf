import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './page';

export class PageQueryDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE })
  @IsOptional()
  @Type(() => Number)
  // Checked bottom-up, stopping at the first failure: "abc" is not an integer, rather than too large.
  @Max(MAX_PAGE_SIZE)
  @Min(1)
  @IsInt({ message: 'limit must be an integer' })
  limit: number = DEFAULT_PAGE_SIZE;

  @ApiPropertyOptional({ description: 'the nextCursor of the previous page', maxLength: 64 })
  @IsOptional()
  @IsString()
  cursor?: string;
}
