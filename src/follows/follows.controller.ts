import { Controller, Delete, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AuthUser, CurrentUser } from '../auth/current-user.decorator';
import { FollowsService } from './follows.service';

@ApiTags('users')
@ApiBearerAuth()
@Controller('users/:username/follow')
export class FollowsController {
  constructor(private readonly follows: FollowsService) {}

  @Post()
  @HttpCode(200)
  follow(@CurrentUser() user: AuthUser, @Param('username') username: string) {
    return this.follows.follow(user.id, username);
  }

  @Delete()
  unfollow(@CurrentUser() user: AuthUser, @Param('username') username: string) {
    return this.follows.unfollow(user.id, username);
  }
}
