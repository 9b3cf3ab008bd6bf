import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { AuthUser, CurrentUser } from '../auth/current-user.decorator';
import { HomeQueryDto } from './dto/home-query.dto';
import { HomeTimelineService } from './home-timeline.service';

@ApiTags('timelines')
@ApiBearerAuth()
@Controller('timelines')
export class TimelinesController {
  constructor(private readonly home: HomeTimelineService) {}

  @Get('home')
  read(@CurrentUser() user: AuthUser, @Query() query: HomeQueryDto) {
    return this.home.page(user.id, query);
  }
}
