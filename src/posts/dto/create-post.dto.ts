import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { ID_SCHEMA, IsId } from '../../common/ids';
import { CodePointLength } from '../../common/code-points.validator';
import { Trim } from '../../common/trim.transform';

export const MAX_POST_LENGTH = 280;

export class CreatePostDto {
  // class-validator checks these bottom-up and stops at the first failure: the type check is last
  // so that a wrong type is reported as one.
  @ApiProperty({ minLength: 1, maxLength: MAX_POST_LENGTH, description: 'trimmed; counted in Unicode code points' })
  @Trim()
  // PostgreSQL cannot store a NUL character in text.
  @Matches(/^[^\u0000]*$/, { message: 'text must not contain NUL characters' })
  @CodePointLength(1, MAX_POST_LENGTH, { message: `text must be 1 to ${MAX_POST_LENGTH} characters` })
  // A cheap bound before the code point count: 280 code points never exceed 280 * 2 UTF-16 units.
  @MaxLength(MAX_POST_LENGTH * 2, { message: `text must be 1 to ${MAX_POST_LENGTH} characters` })
  @IsString({ message: 'text must be a string' })
  text: string;

  @ApiPropertyOptional({ ...ID_SCHEMA, description: 'makes the post a reply to this live post' })
  @IsOptional()
  @IsId()
  replyToId?: string;
}
