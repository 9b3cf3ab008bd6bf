import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';

// Checked bottom-up, stopping at the first failure: the type check is last.
export class LoginDto {
  @ApiProperty({ maxLength: 64, description: 'any letter case' })
  @MaxLength(64)
  @IsString()
  username: string;

  @ApiProperty({ maxLength: 128 })
  @MaxLength(128)
  @IsString()
  password: string;
}
