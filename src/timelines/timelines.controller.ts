import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthUser, CurrentUser } from '../auth/current-user.decorator';
import { ApiErrors } from '../openapi/api-errors.decorator';
import { PostPage } from '../post-store/post.presenter';
import { HomeQueryDto } from './dto/home-query.dto';
import { HomeTimelineService } from './home-timeline.service';

@ApiTags('timelines')
@Controller('timelines')
export class TimelinesController {
  constructor(private readonly home: HomeTimelineService) {}

  @Get('home')
  @ApiOperation({
    summary: 'Your home timeline: your posts and those of everyone you follow, newest first, down to the first one',
    description: 'Its cursors are bound to you: another user\'s cursor, or an edited one, is a 400.',
  })
  @ApiOkResponse({ type: PostPage })
  @ApiErrors(400, 401, 429, 503)
  read(@CurrentUser() user: AuthUser, @Query() query: HomeQueryDto) {
    return this.home.page(user.id, query);
  }
}
