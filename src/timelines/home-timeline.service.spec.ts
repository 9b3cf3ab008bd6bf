import { BadRequestException } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { PostHydrator } from '../post-store/post-hydrator.service';
import { PostView } from '../post-store/post.presenter';
import { FeedFilter } from './feed-filter.service';
import { FeedSourceRepository } from './feed-source.repository';
import { HomeCursors } from './home-cursor';
import { HomeTimelineService } from './home-timeline.service';
import { END_OF_HISTORY } from './timeline-scripts';
import { HomeWindow, TimelineService } from './timeline.service';

const cursors = new HomeCursors({ jwtSecret: 'unit' } as AppConfig);
const post = (id: string) => ({ id }) as PostView;
const ids = (from: number, to: number) => Array.from({ length: from - to + 1 }, (_, i) => String(from - i));

function setup(window: HomeWindow | HomeWindow[], sql: string[][] = []) {
  const windows = Array.isArray(window) ? [...window] : [window];
  const timelines = {
    noteActivity: jest.fn().mockResolvedValue(false),
    readWindow: jest.fn().mockImplementation(async () => (windows.length > 1 ? windows.shift() : windows[0])),
    repair: jest.fn(),
    dropGone: jest.fn(),
  };
  const source = { homePostIds: jest.fn() };
  for (const rows of sql) source.homePostIds.mockResolvedValueOnce(rows);
  source.homePostIds.mockResolvedValue([]);
  const hydrator = {
    hydrate: jest.fn().mockImplementation(async (list: string[]) => list.map(post)),
    hydrateCold: jest.fn().mockImplementation(async (list: string[]) => list.map(post)),
  };
  // Lets every post through unless a test says otherwise.
  const filter = { postsFor: jest.fn(async (_reader: string, posts: PostView[], _relations?: unknown) => posts), readerRelations: jest.fn().mockResolvedValue({}) };
  const service = new HomeTimelineService(
    timelines as unknown as TimelineService,
    source as unknown as FeedSourceRepository,
    hydrator as unknown as PostHydrator,
    cursors,
    filter as unknown as FeedFilter,
  );
  return { service, timelines, source, hydrator, filter };
}

const itemIds = (page: { items: PostView[] }) => page.items.map((p) => p.id);
const after = (page: { nextCursor: string | null }) => (page.nextCursor === null ? null : cursors.decode('1', page.nextCursor));
const cursor = (id: string, deep = false) => cursors.encode('1', { after: id, deep });

describe('HomeTimelineService', () => {
  it('answers from Redis alone when the window holds the whole page, asking a quarter more than it needs', async () => {
    const { service, timelines, source } = setup({ ids: ids(50, 37), seam: '10', missing: null });
    const page = await service.page('1', { limit: 10 });
    // The page needs 11 (one more tells whether anything is left); 14 leave room for the rules.
    expect(timelines.readWindow).toHaveBeenCalledWith('1', { before: undefined, since: undefined, limit: 14 });
    expect(itemIds(page)).toEqual(ids(50, 41));
    expect(after(page)).toEqual({ after: '41', deep: false });
    expect(source.homePostIds).not.toHaveBeenCalled();
    expect(timelines.noteActivity).toHaveBeenCalledWith('1');
  });

  it('reads the page again when the activity mark dropped a returning reader’s stale timeline', async () => {
    const stale = { ids: ['50', '45'], seam: '45', missing: null };
    const rebuilt = { ids: [], seam: null, missing: { userId: '1', home: true, authors: [] } };
    // The stale read goes on below its seam in PostgreSQL too; the second read is all PostgreSQL.
    const { service, timelines } = setup([stale, rebuilt], [['40'], ['60', '55']]);
    timelines.noteActivity.mockResolvedValue(true);
    const page = await service.page('1', { limit: 5 });
    expect(timelines.readWindow).toHaveBeenCalledTimes(2);
    expect(itemIds(page)).toEqual(['60', '55']);
    expect(timelines.repair).toHaveBeenCalledWith(rebuilt.missing);
  });

  it('hydrates the window with the post cache entries read with it', async () => {
    const cachedPosts = new Map([['50', '{"id":"50"}'], ['45', null]]);
    const { service, hydrator } = setup({ ids: ['50', '45'], seam: END_OF_HISTORY, missing: null, cachedPosts });
    await service.page('1', { limit: 5 });
    expect(hydrator.hydrate).toHaveBeenCalledWith(['50', '45'], cachedPosts);
  });

  it('ends the history with the window, without asking PostgreSQL, when the window holds all of it', async () => {
    const { service, source } = setup({ ids: ['50', '45', '40'], seam: END_OF_HISTORY, missing: null });
    const page = await service.page('1', { limit: 5 });
    expect(itemIds(page)).toEqual(['50', '45', '40']);
    expect(page.nextCursor).toBeNull();
    expect(source.homePostIds).not.toHaveBeenCalled();
  });

  it('continues below the seam from PostgreSQL within the same page, with no gap and no duplicate', async () => {
    const { service, source, hydrator } = setup({ ids: ['50', '45', '40'], seam: '40', missing: null }, [['39', '30', '20']]);
    const page = await service.page('1', { limit: 5 });
    expect(source.homePostIds).toHaveBeenCalledWith('1', { before: '40', since: undefined, limit: 5 });
    expect(itemIds(page)).toEqual(['50', '45', '40', '39', '30']);
    // The page ended below the seam: the cursor says so, and the old posts were read cold.
    expect(after(page)).toEqual({ after: '30', deep: true });
    expect(hydrator.hydrate).toHaveBeenCalledWith(['50', '45', '40'], undefined);
    expect(hydrator.hydrateCold).toHaveBeenCalledWith(['39', '30', '20']);
  });

  it('reads a page below the seam from PostgreSQL, below the cursor', async () => {
    const { service, source, timelines } = setup({ ids: [], seam: '40', missing: null }, [['29', '28', '27']]);
    const page = await service.page('1', { limit: 2, cursor: cursor('30') });
    expect(timelines.readWindow).toHaveBeenCalledWith('1', { before: '30', since: undefined, limit: 4 });
    expect(source.homePostIds).toHaveBeenCalledWith('1', { before: '30', since: undefined, limit: 4 });
    expect(itemIds(page)).toEqual(['29', '28']);
    expect(after(page)).toEqual({ after: '28', deep: true });
  });

  it('goes straight to PostgreSQL after a page that ended below the seam, without asking Redis', async () => {
    const { service, source, timelines, hydrator } = setup({ ids: [], seam: '40', missing: null }, [['29', '28', '27']]);
    const page = await service.page('1', { limit: 2, cursor: cursor('30', true), since: '5' });
    expect(timelines.readWindow).not.toHaveBeenCalled();
    expect(source.homePostIds).toHaveBeenCalledWith('1', { before: '30', since: '5', limit: 4 });
    expect(hydrator.hydrateCold).toHaveBeenCalledWith(['29', '28', '27']);
    expect(after(page)).toEqual({ after: '28', deep: true });
  });

  it('reads the whole page from PostgreSQL when Redis vouches for nothing (a returning reader)', async () => {
    const { service, source, hydrator } = setup({ ids: [], seam: null, missing: null }, [['9', '8']]);
    const page = await service.page('1', { limit: 20 });
    expect(source.homePostIds).toHaveBeenCalledWith('1', { before: undefined, since: undefined, limit: 27 });
    expect(page).toEqual({ items: [post('9'), post('8')], nextCursor: null });
    // The reader's newest posts: read through the post cache, and not a deep position.
    expect(hydrator.hydrate).toHaveBeenCalledWith(['9', '8'], undefined);
  });

  it('has what the read found missing rebuilt only after the page is read', async () => {
    const missing = { userId: '1', home: true, authors: [], bigAccountsVersion: '3' };
    const { service, source, timelines } = setup({ ids: [], seam: null, missing }, [['9']]);
    await service.page('1', { limit: 20 });
    expect(timelines.repair).toHaveBeenCalledTimes(1);
    expect(timelines.repair).toHaveBeenCalledWith(missing);
    expect(timelines.repair.mock.invocationCallOrder[0]).toBeGreaterThan(source.homePostIds.mock.invocationCallOrder[0]);
  });

  it('repairs nothing when nothing was missing', async () => {
    const { service, timelines } = setup({ ids: ['9'], seam: '9', missing: null });
    await service.page('1', { limit: 20 });
    expect(timelines.repair).not.toHaveBeenCalled();
  });

  it('ends the history with a null cursor only when PostgreSQL has nothing more', async () => {
    const { service } = setup({ ids: ['50', '45'], seam: '45', missing: null }, [['44']]);
    const page = await service.page('1', { limit: 3 });
    expect(page).toEqual({ items: [post('50'), post('45'), post('44')], nextCursor: null });
  });

  it('skips PostgreSQL when since lies at or above the seam: Redis answered the whole range', async () => {
    const { service, source } = setup({ ids: ['50', '45'], seam: '40', missing: null });
    const page = await service.page('1', { limit: 10, since: '40' });
    expect(page).toEqual({ items: [post('50'), post('45')], nextCursor: null });
    expect(source.homePostIds).not.toHaveBeenCalled();
  });

  it('passes since on to PostgreSQL when it lies below the seam', async () => {
    const { service, source } = setup({ ids: ['50'], seam: '50', missing: null }, [['30']]);
    await service.page('1', { limit: 10, since: '20' });
    expect(source.homePostIds).toHaveBeenCalledWith('1', { before: '50', since: '20', limit: 13 });
  });

  it('tops a page up from further down when posts are dropped, and points the cursor after the last one shown', async () => {
    const { service, hydrator, source, timelines } = setup({ ids: [], seam: null, missing: null }, [['9', '8', '7', '6', '5'], ['4', '3']]);
    hydrator.hydrate.mockImplementationOnce(async () => [post('9'), post('7'), post('5')]);
    const page = await service.page('1', { limit: 3 });
    // What the read found deleted leaves the timeline (lazy clean-up).
    expect(timelines.dropGone).toHaveBeenCalledWith('1', ['8', '6']);
    // One more post needed; 2 of the 5 examined were dropped, so it asks for 5/3 as many.
    expect(source.homePostIds).toHaveBeenNthCalledWith(2, '1', { before: '5', since: undefined, limit: 2 });
    expect(itemIds(page)).toEqual(['9', '7', '5']);
    expect(after(page)).toEqual({ after: '5', deep: false });
  });

  it('answers a short page after three batches, with a cursor after the last post examined', async () => {
    const rows = (from: number, n: number) => ids(from, from - n + 1);
    const { service, hydrator, source } = setup({ ids: [], seam: null, missing: null }, [rows(50, 3), rows(47, 6), rows(41, 8)]);
    hydrator.hydrate.mockResolvedValue([]);
    const page = await service.page('1', { limit: 1 });
    // Everything dropped: each batch asks for more, up to four times what the page needs.
    expect(source.homePostIds.mock.calls.map(([, query]) => query.limit)).toEqual([3, 6, 8]);
    expect(page.items).toEqual([]);
    expect(after(page)).toEqual({ after: '34', deep: false });
  });

  it('passes every batch through the feed rules with the reader’s relations, loaded once for the page', async () => {
    const { service, source, filter } = setup({ ids: [], seam: null, missing: null }, [['9', '8', '6', '4'], ['3', '2']]);
    const relations = { reader: '1' };
    filter.readerRelations.mockResolvedValue(relations);
    // The rules keep out every even id.
    filter.postsFor.mockImplementation(async (_reader: string, posts: PostView[], _relations?: unknown) => posts.filter((p) => Number(p.id) % 2 === 1));
    const page = await service.page('1', { limit: 2 });
    expect(itemIds(page)).toEqual(['9', '3']);
    expect(source.homePostIds).toHaveBeenCalledTimes(2);
    expect(filter.readerRelations).toHaveBeenCalledTimes(1);
    expect(filter.readerRelations).toHaveBeenCalledWith('1');
    for (const call of filter.postsFor.mock.calls) expect(call[2]).toBe(relations);
  });

  it('refuses a malformed since and a cursor that is not the reader’s, before reading anything', async () => {
    const { service, timelines } = setup({ ids: [], seam: null, missing: null });
    await expect(service.page('1', { limit: 5, since: 'abc' })).rejects.toThrow(BadRequestException);
    await expect(service.page('1', { limit: 5, cursor: cursors.encode('2', { after: '30', deep: false }) })).rejects.toThrow(BadRequestException);
    expect(timelines.readWindow).not.toHaveBeenCalled();
  });

  describe('since (timeline:sync)', () => {
    it('says hasMore when more than 100 posts are newer than since', async () => {
      const { service } = setup({ ids: ids(200, 100), seam: '1', missing: null });
      const catchup = await service.since('1', '1');
      expect(catchup.items).toHaveLength(100);
      expect(catchup.hasMore).toBe(true);
    });

    it('says no more when exactly 100 posts are newer than since', async () => {
      const { service } = setup({ ids: ids(200, 101), seam: '1', missing: null });
      const catchup = await service.since('1', '100');
      expect(catchup.items).toHaveLength(100);
      expect(catchup.hasMore).toBe(false);
    });
  });
});
