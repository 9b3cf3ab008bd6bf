import { Body, Controller, Get, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiTags } from '@nestjs/swagger';
import { AuthUser, CurrentUser } from '../auth/current-user.decorator';
import { PutMarkerDto } from './dto/put-marker.dto';
import { MarkerView } from './marker.presenter';
import { MarkersService } from './markers.service';
import { SocketId } from './socket-id.decorator';

@ApiTags('timelines')
@ApiBearerAuth()
@Controller('timelines/home/marker')
export class MarkersController {
  constructor(private readonly markers: MarkersService) {}

  @Get()
  get(@CurrentUser() user: AuthUser): Promise<MarkerView> {
    return this.markers.get(user.id);
  }

  @Put()
  @ApiHeader({ name: 'X-Socket-Id', required: false, description: 'your own live-feed socket.id: it is not sent the marker:update' })
  set(
    @CurrentUser() user: AuthUser,
    @Body() dto: PutMarkerDto,
    @SocketId() socketId: string | undefined,
  ): Promise<MarkerView> {
    return this.markers.set(user.id, dto.lastReadId, socketId);
  }
}
