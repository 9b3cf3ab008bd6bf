import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, ValidateIf } from 'class-validator';

export class FollowDto {
  @ApiPropertyOptional({
    description:
      "false keeps this account's reposts out of your home timeline. A new follow defaults to true; " +
      'following again with the field sets it, without the field keeps it as it is.',
  })
  // Absent is fine; null is not a boolean and is refused like any other wrong type.
  @ValidateIf((_, value) => value !== undefined)
  @IsBoolean({ message: 'reposts must be true or false' })
  reposts?: boolean;
}
