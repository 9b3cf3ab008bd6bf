import { BadRequestException, Injectable } from '@nestjs/common';
import { decodeCursor, encodeCursor } from '../common/cursor';
import { isId } from '../common/ids';
import { Page } from '../common/page';
import { PostView } from '../post-store/post.presenter';
import { PostHydrator } from '../post-store/post-hydrator.service';
import { TimelineService } from './timeline.service';

/** Most posts a catch-up (`timeline:sync`) returns. */
export const SYNC_LIMIT = 100;

/** Reads home timelines for clients: ids from the timeline store, posts from the hydrator. */
@Injectable()
export class HomeTimelineService {
  constructor(
    private readonly timelines: TimelineService,
    private readonly hydrator: PostHydrator,
  ) {}

  async page(userId: string, query: { limit: number; cursor?: string; since?: string }): Promise<Page<PostView>> {
    if (query.since !== undefined && !isId(query.since)) {
      throw new BadRequestException('since must be a post id (a decimal string)');
    }
    const before = decodeCursor(query.cursor);
    await this.timelines.noteActivity(userId);
    const { ids, hasMore } = await this.timelines.readHome(userId, { before, since: query.since, limit: query.limit });
    const items = await this.hydrator.hydrate(ids);
    return { items, nextCursor: hasMore && ids.length > 0 ? encodeCursor(ids[ids.length - 1]) : null };
  }

  /** The posts newer than `since`, newest first, for a client that reconnects. */
  async since(userId: string, since: string): Promise<PostView[]> {
    return (await this.page(userId, { limit: SYNC_LIMIT, since })).items;
  }
}
