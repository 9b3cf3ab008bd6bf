import { ApiProperty } from '@nestjs/swagger';

/** What follow answers. */
export class FollowView {
  @ApiProperty({ description: 'whether the caller now follows the user' }) following: boolean;
  @ApiProperty({ description: "false when this account's reposts stay out of the caller's home timeline" }) reposts: boolean;
}

/** What unfollow answers. */
export class UnfollowView {
  @ApiProperty({ description: 'whether the caller now follows the user' }) following: boolean;
}
