import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiHeader, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthUser, CurrentUser } from '../auth/current-user.decorator';
import { ParseIdPipe } from '../common/ids';
import { PageQueryDto } from '../common/page-query.dto';
import { ApiBodyErrors, ApiErrors } from '../openapi/api-errors.decorator';
import { ApiIdParam, ApiUsernameParam } from '../openapi/api-params';
import { UsernameParam } from '../common/username';
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
  @ApiOperation({ summary: 'Write a post, or a reply with replyToId; its followers get it in the background' })
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
  @ApiErrors(404, 409)
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

  @Get('posts/:id/replies')
  @ApiIdParam()
  @ApiOperation({ summary: 'The replies to a post, oldest first' })
  @ApiOkResponse({ type: PostPage })
  @ApiErrors(400, 404)
  replies(@Param('id', new ParseIdPipe()) id: string, @Query() page: PageQueryDto) {
    return this.posts.replies(id, page);
  }

  @Post('posts/:id/repost')
  @ApiIdParam()
  @ApiOperation({ summary: 'Repost a post (a repost of a repost reposts its original); once per user' })
  @ApiCreatedResponse({ type: PostView, description: 'the repost: a post of yours whose repostOf is the original' })
  @ApiOkResponse({ type: PostView, description: 'you had already reposted it: that repost' })
  @ApiBodyErrors()
  @ApiErrors(404)
  @RateLimit('write')
  async repost(
    @CurrentUser() user: AuthUser,
    @Param('id', new ParseIdPipe()) id: string,
    @Res({ passthrough: true }) reply: { status(code: number): unknown },
  ) {
    const { post, created } = await this.posts.repost(user.id, id);
    if (!created) reply.status(200);
    return post;
  }

  @Delete('posts/:id/repost')
  @HttpCode(204)
  @ApiIdParam()
  @ApiOperation({ summary: 'Undo your repost of a post (`:id` is the original); it leaves every timeline' })
  @ApiNoContentResponse({ description: 'you have no repost of it (any more)' })
  @ApiBodyErrors()
  @ApiErrors(404)
  @RateLimit('write')
  async unrepost(@CurrentUser() user: AuthUser, @Param('id', new ParseIdPipe()) id: string): Promise<void> {
    await this.posts.unrepost(user.id, id);
  }

  @Get('users/:username/posts')
  @ApiUsernameParam()
  @ApiOperation({ summary: 'A user’s posts, newest first; 403 when that user blocks you' })
  @ApiOkResponse({ type: PostPage })
  @ApiErrors(400, 403, 404)
  byAuthor(@CurrentUser() user: AuthUser, @UsernameParam() username: string, @Query() page: PageQueryDto) {
    return this.posts.listByAuthor(user.id, username, page);
  }
}
