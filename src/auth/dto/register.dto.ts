import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';
import { Trim } from '../../common/trim.transform';
import { MaxCodePoints } from '../../common/code-points.validator';

export class RegisterDto {
  @ApiProperty({ pattern: '^[A-Za-z0-9_]{3,30}$', example: 'ada_l' })
  @IsString()
  @Matches(/^[A-Za-z0-9_]{3,30}$/, { message: 'username must be 3 to 30 letters, digits or underscores' })
  username: string;

  @ApiProperty({ minLength: 8, maxLength: 128 })
  @IsString()
  @Length(8, 128, { message: 'password must be 8 to 128 characters' })
  password: string;

  @ApiPropertyOptional({ maxLength: 50, description: 'defaults to the username' })
  @IsOptional()
  @Trim()
  @IsString()
  @MaxLength(200)
  @MaxCodePoints(50, { message: 'displayName must be at most 50 characters' })
  displayName?: string;
}
