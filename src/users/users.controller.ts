import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthUser, CurrentUser } from '../auth/current-user.decorator';
import { PageQueryDto } from '../common/page-query.dto';
import { ApiErrors } from '../openapi/api-errors.decorator';
import { ApiUsernameParam } from '../openapi/api-params';
import { UsernameParam } from '../common/username';
import { UserPage, UserView } from './user.presenter';
import { UsersService } from './users.service';

@ApiTags('users')
@ApiErrors(401, 429, 503)
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get('me')
  @ApiOperation({ summary: 'The signed-in user' })
  @ApiOkResponse({ type: UserView })
  me(@CurrentUser() user: AuthUser) {
    return this.users.me(user.id);
  }

  @Get(':username')
  @ApiUsernameParam()
  @ApiOperation({ summary: 'A user, with follower, following and post counts' })
  @ApiOkResponse({ type: UserView })
  @ApiErrors(404)
  profile(@UsernameParam() username: string) {
    return this.users.profile(username);
  }

  @Get(':username/followers')
  @ApiUsernameParam()
  @ApiOperation({ summary: 'Who follows a user, newest follow first' })
  @ApiOkResponse({ type: UserPage })
  @ApiErrors(400, 404)
  followers(@UsernameParam() username: string, @Query() page: PageQueryDto) {
    return this.users.followers(username, page);
  }

  @Get(':username/following')
  @ApiUsernameParam()
  @ApiOperation({ summary: 'Whom a user follows, newest follow first' })
  @ApiOkResponse({ type: UserPage })
  @ApiErrors(400, 404)
  following(@UsernameParam() username: string, @Query() page: PageQueryDto) {
    return this.users.following(username, page);
  }
}
