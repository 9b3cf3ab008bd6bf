import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AuthUser, CurrentUser } from '../auth/current-user.decorator';
import { PageQueryDto } from '../common/page-query.dto';
import { UsersService } from './users.service';

@ApiTags('users')
@ApiBearerAuth()
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get('me')
  me(@CurrentUser() user: AuthUser) {
    return this.users.me(user.id);
  }

  @Get(':username')
  profile(@Param('username') username: string) {
    return this.users.profile(username);
  }

  @Get(':username/followers')
  followers(@Param('username') username: string, @Query() page: PageQueryDto) {
    return this.users.followers(username, page);
  }

  @Get(':username/following')
  following(@Param('username') username: string, @Query() page: PageQueryDto) {
    return this.users.following(username, page);
  }
}
