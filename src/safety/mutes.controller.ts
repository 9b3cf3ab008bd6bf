import { Body, Controller, Delete, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthUser, CurrentUser } from '../auth/current-user.decorator';
import { NoBodyPipe } from '../common/no-body.pipe';
import { PageQueryDto } from '../common/page-query.dto';
import { ApiErrors } from '../openapi/api-errors.decorator';
import { ApiUsernameParam } from '../openapi/api-params';
import { UsernameParam } from '../common/username';
import { RateLimit } from '../rate-limit/rate-limit.decorator';
import { UserPage } from '../users/user.presenter';
import { SafetyService } from './safety.service';
import { MuteView } from './safety.views';

@ApiTags('users')
@ApiErrors(401, 429, 503)
@Controller('users')
export class MutesController {
  constructor(private readonly safety: SafetyService) {}

  @Get('me/mutes')
  @ApiOperation({ summary: 'The users you mute, newest mute first' })
  @ApiOkResponse({ type: UserPage })
  @ApiErrors(400)
  list(@CurrentUser() user: AuthUser, @Query() page: PageQueryDto) {
    return this.safety.mutes(user.id, page);
  }

  @Post(':username/mute')
  @HttpCode(200)
  @ApiUsernameParam()
  @ApiOperation({
    summary: 'Mute a user (idempotent)',
    description:
      "Their posts and reposts, and reposts of their posts, stay out of your home timeline and live feed; you keep following them, and they are not told.",
  })
  @ApiOkResponse({ type: MuteView })
  @ApiErrors(400, 404, 413, 415)
  @RateLimit('write')
  mute(@CurrentUser() user: AuthUser, @UsernameParam() username: string, @Body(NoBodyPipe) _body: undefined) {
    return this.safety.mute(user.id, username);
  }

  @Delete(':username/mute')
  @ApiUsernameParam()
  @ApiOperation({ summary: 'Unmute a user (idempotent); a followed account\'s recent posts join your home timeline again' })
  @ApiOkResponse({ type: MuteView })
  @ApiErrors(400, 404, 413, 415)
  @RateLimit('write')
  unmute(@CurrentUser() user: AuthUser, @UsernameParam() username: string, @Body(NoBodyPipe) _body: undefined) {
    return this.safety.unmute(user.id, username);
  }
}
