import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiHeader, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthUser, CurrentUser } from '../auth/current-user.decorator';
import { ParseIdPipe } from '../common/ids';
import { PageQueryDto } from '../common/page-query.dto';
import { ApiBodyErrors, ApiErrors } from '../openapi/api-errors.decorator';
import { ApiIdParam, ApiUsernameParam } from '../openapi/api-params';
import { PostPage, PostView } from '../post-store/post.presenter';
import { RateLimit } from '../rate-limit/rate-limit.decorator';
import { CreatePostDto } from './dto/create-post.dto';
import { FanoutStatusView } from './fanout-status.presenter';
import { IDEMPOTENCY_KEY, PostsService } from './posts.service';

@ApiTags('posts')
@ApiErrors(401, 429, 503)
@Controller()
export class PostsController {
  constructor(private readonly posts: PostsService) {}

  @Post('posts')
  @ApiOperation({ summary: 'Write a post; its followers get it in the background' })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'makes a retry safe: a repeat with the same key within 24 h answers the same post and creates nothing',
    schema: { type: 'string', pattern: IDEMPOTENCY_KEY.source },
  })
  @ApiCreatedResponse({
    type: PostView,
    description: 'the post, already on your own home timeline',
    headers: {
      'Idempotent-Replayed': {
        description: 'present, `true`, when the answer is the post an earlier request with the same Idempotency-Key created',
        schema: { type: 'string', enum: ['true'] },
      },
    },
  })
  @ApiBodyErrors()
  @ApiErrors(409)
  @RateLimit('write')
  async create(
    @CurrentUser() user: AuthUser,
    @Body() dto: CreatePostDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) reply: { header(name: string, value: string): unknown },
  ) {
    const { post, replayed } = await this.posts.create(user.id, dto, idempotencyKey);
    if (replayed) reply.header('Idempotent-Replayed', 'true');
    return post;
  }

  @Get('posts/:id')
  @ApiIdParam()
  @ApiOperation({ summary: 'One post' })
  @ApiOkResponse({ type: PostView })
  @ApiErrors(400, 404)
  get(@Param('id', new ParseIdPipe()) id: string) {
    return this.posts.get(id);
  }

  @Delete('posts/:id')
  @HttpCode(204)
  @ApiIdParam()
  @ApiOperation({ summary: 'Delete your post; it leaves every timeline' })
  @ApiNoContentResponse({ description: 'deleted' })
  @ApiBodyErrors()
  @ApiErrors(403, 404)
  @RateLimit('write')
  async delete(@CurrentUser() user: AuthUser, @Param('id', new ParseIdPipe()) id: string): Promise<void> {
    await this.posts.delete(user.id, id);
  }

  @Get('posts/:id/fanout')
  @ApiIdParam()
  @ApiOperation({ summary: 'How the fan-out of your post went (author only)' })
  @ApiOkResponse({ type: FanoutStatusView })
  @ApiErrors(400, 403, 404)
  fanout(@CurrentUser() user: AuthUser, @Param('id', new ParseIdPipe()) id: string) {
    return this.posts.fanoutStatus(user.id, id);
  }

  @Get('users/:username/posts')
  @ApiUsernameParam()
  @ApiOperation({ summary: 'A user’s posts, newest first' })
  @ApiOkResponse({ type: PostPage })
  @ApiErrors(400, 404)
  byAuthor(@Param('username') username: string, @Query() page: PageQueryDto) {
    return this.posts.listByAuthor(username, page);
  }
}
