import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';

// Checked bottom-up, stopping at the first failure: the type check is last.
export class LoginDto {
  @ApiProperty()
  @MaxLength(64)
  @IsString()
  username: string;

  @ApiProperty()
  @MaxLength(128)
  @IsString()
  password: string;
}
