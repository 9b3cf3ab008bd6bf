import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';
import { USERNAME, USERNAME_RULE } from '../../common/username';
import { Trim } from '../../common/trim.transform';
import { MaxCodePoints } from '../../common/code-points.validator';

// class-validator checks each property's decorators bottom-up and stops at the first failure: the
// type check is last so that a wrong type is reported as one.
export class RegisterDto {
  @ApiProperty({ pattern: USERNAME.source, example: 'ada_l' })
  @Matches(USERNAME, { message: USERNAME_RULE })
  @IsString()
  username: string;

  @ApiProperty({ minLength: 8, maxLength: 128 })
  @Length(8, 128, { message: 'password must be 8 to 128 characters' })
  @IsString()
  password: string;

  @ApiPropertyOptional({ maxLength: 50, description: 'defaults to the username' })
  @IsOptional()
  @Trim()
  // PostgreSQL cannot store a NUL character in text.
  @Matches(/^[^\u0000]*$/, { message: 'displayName must not contain NUL characters' })
  @MaxCodePoints(50, { message: 'displayName must be at most 50 characters' })
  @MaxLength(200)
  @IsString()
  displayName?: string;
}
