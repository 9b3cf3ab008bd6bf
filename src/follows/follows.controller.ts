import { Body, Controller, Delete, HttpCode, Post } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthUser, CurrentUser } from '../auth/current-user.decorator';
import { ApiBodyErrors, ApiErrors } from '../openapi/api-errors.decorator';
import { ApiUsernameParam } from '../openapi/api-params';
import { UsernameParam } from '../common/username';
import { RateLimit } from '../rate-limit/rate-limit.decorator';
import { FollowDto } from './dto/follow.dto';
import { FollowView, UnfollowView } from './follow.view';
import { FollowsService } from './follows.service';

@ApiTags('users')
@ApiBodyErrors()
@ApiErrors(401, 404, 429, 503)
@ApiUsernameParam()
@RateLimit('write')
@Controller('users/:username/follow')
export class FollowsController {
  constructor(private readonly follows: FollowsService) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Follow a user (idempotent), or set whether their reposts reach you; their recent posts join your home timeline' })
  @ApiBody({ type: FollowDto, required: false })
  @ApiOkResponse({ type: FollowView })
  @ApiErrors(403)
  follow(@CurrentUser() user: AuthUser, @UsernameParam() username: string, @Body() body: FollowDto) {
    return this.follows.follow(user.id, username, body.reposts);
  }

  @Delete()
  @ApiOperation({ summary: 'Unfollow a user (idempotent); their posts leave your home timeline' })
  @ApiOkResponse({ type: UnfollowView })
  unfollow(@CurrentUser() user: AuthUser, @UsernameParam() username: string) {
    return this.follows.unfollow(user.id, username);
  }
}
