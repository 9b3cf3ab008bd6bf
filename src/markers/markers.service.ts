import { Injectable } from '@nestjs/common';
import { staleAccountAs401 } from '../common/stale-account';
import { LiveFeedService } from '../realtime/live-feed.service';
import { MarkerView, toMarkerView } from './marker.presenter';
import { MarkersRepository } from './markers.repository';

/**
 * Where a user stopped reading their home timeline, kept in PostgreSQL so every device finds it,
 * and pushed to the user's other open sockets when it moves.
 */
@Injectable()
export class MarkersService {
  constructor(
    private readonly markers: MarkersRepository,
    private readonly live: LiveFeedService,
  ) {}

  async get(userId: string): Promise<MarkerView> {
    return toMarkerView(await this.markers.find(userId));
  }

  /** Sets the marker; every socket of the user but `fromSocketId` (the caller's own) is told. */
  async set(userId: string, lastReadId: string, fromSocketId?: string): Promise<MarkerView> {
    const row = await this.markers.save(userId, lastReadId).catch((err) => {
      throw staleAccountAs401(err);
    });
    const marker = toMarkerView(row);
    this.live.markerMoved(userId, marker, fromSocketId);
    return marker;
  }
}
