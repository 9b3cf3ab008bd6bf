import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';
import { CodePointLength } from '../../common/code-points.validator';
import { Trim } from '../../common/trim.transform';

export const MAX_POST_LENGTH = 280;

export class CreatePostDto {
  @ApiProperty({ minLength: 1, maxLength: MAX_POST_LENGTH, description: 'trimmed; counted in Unicode code points' })
  @Trim()
  @IsString({ message: 'text must be a string' })
  // A cheap bound before the code point count: 280 code points never exceed 280 * 2 UTF-16 units.
  @MaxLength(MAX_POST_LENGTH * 2, { message: `text must be 1 to ${MAX_POST_LENGTH} characters` })
  @CodePointLength(1, MAX_POST_LENGTH, { message: `text must be 1 to ${MAX_POST_LENGTH} characters` })
  text: string;
}
