import { Body, Controller, Get, Put } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthUser, CurrentUser } from '../auth/current-user.decorator';
import { ApiBodyErrors, ApiErrors } from '../openapi/api-errors.decorator';
import { RateLimit } from '../rate-limit/rate-limit.decorator';
import { PutMarkerDto } from './dto/put-marker.dto';
import { MarkerView } from './marker.presenter';
import { MarkersService } from './markers.service';
import { SOCKET_ID, SocketId } from './socket-id.decorator';

@ApiTags('timelines')
@ApiErrors(401, 429, 503)
@Controller('timelines/home/marker')
export class MarkersController {
  constructor(private readonly markers: MarkersService) {}

  @Get()
  @ApiOperation({ summary: 'Where you stopped reading your home timeline, on whichever device' })
  @ApiOkResponse({ type: MarkerView, description: 'both fields null until a marker is set' })
  get(@CurrentUser() user: AuthUser): Promise<MarkerView> {
    return this.markers.get(user.id);
  }

  @Put()
  // A read position, moved as often as the reader scrolls: it spends the read budget, not the write one.
  @RateLimit('read')
  @ApiOperation({ summary: 'Set your read position; your other open sockets get marker:update' })
  @ApiHeader({
    name: 'X-Socket-Id',
    required: false,
    description: 'the socket.id of your own live-feed socket: it is not sent the marker:update',
    schema: { type: 'string', pattern: SOCKET_ID.source },
  })
  @ApiOkResponse({ type: MarkerView })
  @ApiBodyErrors()
  set(@CurrentUser() user: AuthUser, @Body() dto: PutMarkerDto, @SocketId() socketId: string | undefined): Promise<MarkerView> {
    return this.markers.set(user.id, dto.lastReadId, socketId);
  }
}
