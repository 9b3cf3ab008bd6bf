import { ApiProperty } from '@nestjs/swagger';

/** What follow and unfollow answer. */
export class FollowView {
  @ApiProperty({ description: 'whether the caller now follows the user' }) following: boolean;
}
