import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiTags } from '@nestjs/swagger';
import { AuthUser, CurrentUser } from '../auth/current-user.decorator';
import { ParseIdPipe } from '../common/ids';
import { PageQueryDto } from '../common/page-query.dto';
import { CreatePostDto } from './dto/create-post.dto';
import { PostsService } from './posts.service';

@ApiTags('posts')
@ApiBearerAuth()
@Controller()
export class PostsController {
  constructor(private readonly posts: PostsService) {}

  @Post('posts')
  @ApiHeader({ name: 'Idempotency-Key', required: false })
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
  get(@Param('id', new ParseIdPipe()) id: string) {
    return this.posts.get(id);
  }

  @Delete('posts/:id')
  @HttpCode(204)
  async delete(@CurrentUser() user: AuthUser, @Param('id', new ParseIdPipe()) id: string): Promise<void> {
    await this.posts.delete(user.id, id);
  }

  @Get('posts/:id/fanout')
  fanout(@CurrentUser() user: AuthUser, @Param('id', new ParseIdPipe()) id: string) {
    return this.posts.fanoutStatus(user.id, id);
  }

  @Get('users/:username/posts')
  byAuthor(@Param('username') username: string, @Query() page: PageQueryDto) {
    return this.posts.listByAuthor(username, page);
  }
}
