import { ApiProperty } from '@nestjs/swagger';

export class BlockView {
  @ApiProperty({ description: 'whether the caller now blocks the user' }) blocking: boolean;
}

export class MuteView {
  @ApiProperty({ description: 'whether the caller now mutes the user' }) muting: boolean;
}
