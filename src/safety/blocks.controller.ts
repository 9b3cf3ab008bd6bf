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
import { BlockView } from './safety.views';

@ApiTags('users')
@ApiErrors(401, 429, 503)
@Controller('users')
export class BlocksController {
  constructor(private readonly safety: SafetyService) {}

  @Get('me/blocks')
  @ApiOperation({ summary: 'The users you block, newest block first' })
  @ApiOkResponse({ type: UserPage })
  @ApiErrors(400)
  list(@CurrentUser() user: AuthUser, @Query() page: PageQueryDto) {
    return this.safety.blocks(user.id, page);
  }

  @Post(':username/block')
  @HttpCode(200)
  @ApiUsernameParam()
  @ApiOperation({
    summary: 'Block a user (idempotent)',
    description:
      "Removes the follows both ways; each one's posts, replies and reposts, and reposts of their posts, stay out of the " +
      "other's home timeline and live feed, and their posts page answers 403 to you.",
  })
  @ApiOkResponse({ type: BlockView })
  @ApiErrors(400, 404, 413, 415)
  @RateLimit('write')
  block(@CurrentUser() user: AuthUser, @UsernameParam() username: string, @Body(NoBodyPipe) _body: undefined) {
    return this.safety.block(user.id, username);
  }

  @Delete(':username/block')
  @ApiUsernameParam()
  @ApiOperation({ summary: 'Unblock a user (idempotent); follows removed by the block are not restored' })
  @ApiOkResponse({ type: BlockView })
  @ApiErrors(400, 404, 413, 415)
  @RateLimit('write')
  unblock(@CurrentUser() user: AuthUser, @UsernameParam() username: string, @Body(NoBodyPipe) _body: undefined) {
    return this.safety.unblock(user.id, username);
  }
}
