import { BadRequestException, Injectable } from '@nestjs/common';
import { isId } from '../common/ids';
import { Relations } from '../graph/relations';
import { Page } from '../common/page';
import { PostView } from '../post-store/post.presenter';
import { PostHydrator } from '../post-store/post-hydrator.service';
import { FeedFilter } from './feed-filter.service';
import { FeedSourceRepository } from './feed-source.repository';
import { HomeCursors, HomePosition } from './home-cursor';
import { END_OF_HISTORY } from './timeline-scripts';
import { compareIds, MissingSets, TimelineService } from './timeline.service';

/** Most posts a catch-up (`timeline:sync`) returns. */
export const SYNC_LIMIT = 100;
/**
 * Candidate batches one page may examine. Posts a reader may not see (deleted ones today, and
 * whatever the feed rules keep out) are dropped and the page is topped up from further down; after
 * this many batches it is answered short, with a cursor after the last post examined, so a page
 * never costs more than a few reads however much is filtered.
 */
const MAX_BATCHES = 3;
/**
 * A batch asks for more candidates than the posts it still needs, since the feed rules leave some
 * out and every batch that comes back short costs another round of reads: at first a quarter more
 * (the rules leave out about a fifth of the load script's pages, whose three rounds of reads for a
 * page this saves), then in the proportion the page's earlier batches lost, up to this many times.
 */
const FIRST_ASK = 1.25;
const MAX_ASK = 4;

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
  /** Where the ids read from PostgreSQL below the window's seam start: old posts, read cold. */
  deepFrom: number;
  /** True when nothing older than these ids is left in the range. */
  exhausted: boolean;
  /** Redis sets the read found missing. */
  missing?: MissingSets | null;
  /** Post cache entries read with the ids (see HomeWindow.cachedPosts). */
  cachedPosts?: ReadonlyMap<string, string | null>;
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
    private readonly filter: FeedFilter,
  ) {}

  async page(userId: string, query: HomeQuery): Promise<Page<PostView>> {
    if (query.since !== undefined && !isId(query.since)) {
      throw new BadRequestException('since must be a post id (a decimal string)');
    }
    const from = this.cursors.decode(userId, query.cursor);
    // The activity mark goes out with the page's first reads. Once in FANOUT_INACTIVE_DAYS it drops
    // a returning reader's stale timeline, and then the page is read again, after the drop.
    const [dropped, read] = await Promise.all([this.timelines.noteActivity(userId), this.collect(userId, from, query.since, query.limit)]);
    const { items, next, missing } = dropped ? await this.collect(userId, from, query.since, query.limit) : read;
    // Only now, so that rebuilding does not compete with this page's own queries.
    if (missing) this.timelines.repair(missing);
    return { items, nextCursor: next === null ? null : this.cursors.encode(userId, next) };
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
  private async collect(userId: string, from: HomePosition | undefined, since: string | undefined, limit: number) {
    const shown: PostView[] = [];
    const deep = new Set<string>();
    const at = (id: string): HomePosition => ({ after: id, deep: deep.has(id) });
    let position = from;
    let missing: MissingSets | null = null;
    // Loaded once for the page, and alongside its first reads rather than after them.
    const relations = this.filter.readerRelations(userId);
    relations.catch(() => undefined); // awaited by visible(); a page that fails before then must not leave it unhandled
    let examined = 0;
    for (let batch = 1; ; batch++) {
      // One more than the page holds: it tells whether anything is left after it.
      const wanted = limit + 1 - shown.length;
      const ask = examined === 0 ? FIRST_ASK : Math.min(examined / Math.max(shown.length, 1), MAX_ASK);
      const found = await this.candidates(userId, position, since, Math.ceil(wanted * ask));
      const { ids, deepFrom } = found;
      examined += ids.length;
      missing ??= found.missing ?? null;
      for (const id of ids.slice(deepFrom)) deep.add(id);
      shown.push(...(await this.visible(userId, found, relations)));
      if (shown.length > limit) return { items: shown.slice(0, limit), next: at(shown[limit - 1].id), missing };
      if (found.exhausted) return { items: shown, next: null, missing };
      position = at(ids[ids.length - 1]);
      if (batch === MAX_BATCHES) return { items: shown, next: position, missing };
    }
  }

  /**
   * The newest `limit` ids of the reader's history after `from` and above `since`: from Redis down
   * to the seam, and below it from PostgreSQL, which is skipped when Redis alone answers the range.
   * A page that already ended below the seam goes straight to PostgreSQL: everything under it is
   * there, and it spares two Redis round trips a page to a reader scrolling deep.
   */
  private async candidates(userId: string, from: HomePosition | undefined, since: string | undefined, limit: number): Promise<Candidates> {
    const before = from?.after;
    if (from?.deep) {
      const ids = await this.source.homePostIds(userId, { before, since, limit });
      return { ids, deepFrom: 0, exhausted: ids.length < limit };
    }
    const window = await this.timelines.readWindow(userId, { before, since, limit });
    const { missing, cachedPosts } = window;
    const above = window.ids.length;
    if (above === limit) return { ids: window.ids, deepFrom: above, exhausted: false, missing, cachedPosts };
    const seam = window.seam;
    // Nothing older than the window exists, or nothing older is asked for.
    const whole = seam === END_OF_HISTORY || (seam !== null && since !== undefined && compareIds(since, seam) >= 0);
    if (whole) return { ids: window.ids, deepFrom: above, exhausted: true, missing, cachedPosts };
    const below = seam !== null && (before === undefined || compareIds(seam, before) < 0) ? seam : before;
    const older = await this.source.homePostIds(userId, { before: below, since, limit: limit - above });
    const ids = [...window.ids, ...older];
    // Without a seam (the timeline is missing) these are the reader's newest posts, not old ones.
    return { ids, deepFrom: seam === null ? ids.length : above, exhausted: ids.length < limit, missing, cachedPosts };
  }

  /**
   * Candidate ids → the posts this reader may see, in order. Every home page passes through here,
   * from Redis or from PostgreSQL, first page or deep: the one place the feed rules apply, with
   * what they need loaded once per batch (FeedFilter): deleted posts leave here, and whatever a
   * block, a mute or a follow's `reposts: false` keeps out, including entries that were already in
   * the timeline when the rule began to apply. Old posts (from `deepFrom` on) are read from
   * PostgreSQL without going through the post cache; the cache entries read with the ids are used
   * as they are.
   */
  private async visible(userId: string, { ids, deepFrom, cachedPosts }: Candidates, readerRelations: Promise<Relations>): Promise<PostView[]> {
    const windowIds = ids.slice(0, deepFrom);
    const [recent, old, relations] = await Promise.all([
      this.hydrator.hydrate(windowIds, cachedPosts),
      this.hydrator.hydrateCold(ids.slice(deepFrom)),
      readerRelations,
    ]);
    if (recent.length < windowIds.length) {
      const found = new Set(recent.map((p) => p.id));
      this.timelines.dropGone(userId, windowIds.filter((id) => !found.has(id)));
    }
    return this.filter.postsFor(userId, [...recent, ...old], relations);
  }
}
