import { BadRequestException, Injectable } from '@nestjs/common';
import { isId } from '../common/ids';
import { Page } from '../common/page';
import { PostView } from '../post-store/post.presenter';
import { PostHydrator } from '../post-store/post-hydrator.service';
import { FeedSourceRepository } from './feed-source.repository';
import { HomeCursors } from './home-cursor';
import { compareIds, TimelineService } from './timeline.service';

/** Most posts a catch-up (`timeline:sync`) returns. */
export const SYNC_LIMIT = 100;
/**
 * Candidate batches one page may examine. Posts a reader may not see (deleted ones today, and
 * whatever the feed rules keep out) are dropped and the page is topped up from further down; after
 * this many batches it is answered short, with a cursor after the last post examined, so a page
 * never costs more than a few reads however much is filtered.
 */
const MAX_BATCHES = 3;

export interface HomeQuery {
  limit: number;
  cursor?: string;
  since?: string;
}

export interface Catchup {
  items: PostView[];
  /** True when more than these posts are newer than `since`. */
  hasMore: boolean;
}

interface Candidates {
  ids: string[];
  /** True when nothing older than these ids is left in the range. */
  exhausted: boolean;
}

/**
 * Reads home timelines for clients: newest pages from the Redis window, everything below its seam
 * (see HomeWindow) from PostgreSQL, through one signed cursor, so a reader pages through their
 * whole history without seeing where one store ends and the other begins.
 */
@Injectable()
export class HomeTimelineService {
  constructor(
    private readonly timelines: TimelineService,
    private readonly source: FeedSourceRepository,
    private readonly hydrator: PostHydrator,
    private readonly cursors: HomeCursors,
  ) {}

  async page(userId: string, query: HomeQuery): Promise<Page<PostView>> {
    if (query.since !== undefined && !isId(query.since)) {
      throw new BadRequestException('since must be a post id (a decimal string)');
    }
    const before = this.cursors.decode(userId, query.cursor);
    await this.timelines.noteActivity(userId);
    const { items, after } = await this.collect(userId, before, query.since, query.limit);
    return { items, nextCursor: after === null ? null : this.cursors.encode(userId, after) };
  }

  /** The posts newer than `since`, newest first, for a client that reconnects. */
  async since(userId: string, since: string): Promise<Catchup> {
    const page = await this.page(userId, { limit: SYNC_LIMIT, since });
    return { items: page.items, hasMore: page.nextCursor !== null };
  }

  /**
   * Fills a page with `limit` posts the reader may see, and says where the next page starts: after
   * the page's last post, or after the last candidate examined when the page ran out of batches;
   * null when the history below is exhausted.
   */
  private async collect(userId: string, before: string | undefined, since: string | undefined, limit: number) {
    const shown: PostView[] = [];
    let position = before;
    for (let batch = 1; ; batch++) {
      // One more than the page holds: it tells whether anything is left after it.
      const { ids, exhausted } = await this.candidates(userId, position, since, limit + 1 - shown.length);
      shown.push(...(await this.visible(userId, ids)));
      if (shown.length > limit) return { items: shown.slice(0, limit), after: shown[limit - 1].id };
      if (exhausted) return { items: shown, after: null };
      position = ids[ids.length - 1];
      if (batch === MAX_BATCHES) return { items: shown, after: position };
    }
  }

  /**
   * The newest `limit` ids of the reader's history between `since` and `before`: from Redis down to
   * the seam, and below it from PostgreSQL, which is skipped when Redis alone answers the range.
   */
  private async candidates(userId: string, before: string | undefined, since: string | undefined, limit: number): Promise<Candidates> {
    const window = await this.timelines.readWindow(userId, { before, since, limit });
    if (window.ids.length === limit) return { ids: window.ids, exhausted: false };
    const seam = window.seam;
    if (seam !== null && since !== undefined && compareIds(since, seam) >= 0) return { ids: window.ids, exhausted: true };
    const below = seam !== null && (before === undefined || compareIds(seam, before) < 0) ? seam : before;
    const older = await this.source.homePostIds(userId, { before: below, since, limit: limit - window.ids.length });
    return { ids: [...window.ids, ...older], exhausted: window.ids.length + older.length < limit };
  }

  /**
   * Candidate ids → the posts this reader may see, in order. Every home page passes through here,
   * from Redis or from PostgreSQL, first page or deep: the one place the feed rules apply, with
   * what they need loaded once per batch. Today it leaves out deleted posts.
   */
  private visible(_userId: string, ids: string[]): Promise<PostView[]> {
    return this.hydrator.hydrate(ids);
  }
}
