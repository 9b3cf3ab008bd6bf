import { AppConfig } from '../config/app-config';
import { GraphService } from '../graph/graph.service';
import { Relations, toUserRelations } from '../graph/relations';
import { FeedFilter } from './feed-filter.service';

/** `follows` lists who follows whom, as `follower>followee`. */
function setup(relations: Record<string, Parameters<typeof toUserRelations>[0]>, follows: string[] = [], feedRules: 'on' | 'off' = 'on') {
  const graph = {
    relationsOf: jest.fn(async (ids: string[]) => Relations.of(ids.map((id) => [id, toUserRelations(relations[id] ?? {})]))),
    followersAmong: jest.fn(async (account: string, readers: string[]) => readers.filter((r) => follows.includes(`${r}>${account}`))),
    followeesAmong: jest.fn(async (reader: string, accounts: string[]) => accounts.filter((a) => follows.includes(`${reader}>${a}`))),
  };
  return { filter: new FeedFilter(graph as unknown as GraphService, { repostDedupWindow: 2, feedRules } as AppConfig), graph };
}

describe('FeedFilter', () => {
  it('with FEED_RULES=off loads no relations and lets everything through (a benchmark baseline)', async () => {
    const { filter, graph } = setup({ '1': { blocks: ['7'], mutes: ['8'] }, '7': { blocks: ['1'] }, '8': { mutedBy: ['1'] } }, [], 'off');
    const reply = { author: { id: '7' }, replyTo: { author: { id: '9' } } };
    const ownReposted = { id: 'r', author: { id: '8' }, repostOf: { id: 'o', author: { id: '1' } } };
    const original = { id: 'o', author: { id: '1' } };
    await expect(filter.readersOf(reply, ['1', '2'])).resolves.toEqual(['1', '2']);
    const page = [ownReposted, reply, original];
    await expect(filter.postsFor('1', page)).resolves.toEqual(page);
    await expect(filter.postsFor('1', page, await filter.readerRelations('1'))).resolves.toEqual(page);
    await expect(filter.keptOut(ownReposted)).resolves.toEqual([]);
    expect(filter.fitsRoom(reply)).toBe(true);
    await expect(filter.hidesAccount('1', '7')).resolves.toBe(false);
    expect(graph.relationsOf).not.toHaveBeenCalled();
    expect(graph.followersAmong).not.toHaveBeenCalled();
    expect(graph.followeesAmong).not.toHaveBeenCalled();
  });

  it('loads the relations of the post’s subjects once for a whole batch of readers', async () => {
    const { filter, graph } = setup({ '7': { mutedBy: ['2'] }, '8': { blocks: ['3'] } });
    const post = { author: { id: '7' }, repostOf: { author: { id: '8' } } };
    await expect(filter.readersOf(post, ['1', '2', '3', '4'])).resolves.toEqual(['1', '4']);
    expect(graph.relationsOf).toHaveBeenCalledTimes(1);
    expect(graph.relationsOf).toHaveBeenCalledWith(['7', '8']);
  });

  it('loads the reader’s relations once for a whole page of posts', async () => {
    const { filter, graph } = setup({ '1': { mutes: ['7'], hidesRepostsOf: ['9'] } });
    const posts = [{ author: { id: '7' } }, { author: { id: '8' } }, { author: { id: '9' }, repostOf: { author: { id: '8' } } }, { author: { id: '9' } }];
    await expect(filter.postsFor('1', posts)).resolves.toEqual([posts[1], posts[3]]);
    expect(graph.relationsOf).toHaveBeenCalledTimes(1);
    expect(graph.relationsOf).toHaveBeenCalledWith(['1']);
  });

  describe('rule 1: a reply reaches only readers who also follow the account replied to', () => {
    const reply = { author: { id: '7' }, replyTo: { author: { id: '8' } } };

    it('asks once per batch which readers follow that account; the replied-to account and the author always get it', async () => {
      const { filter, graph } = setup({}, ['2>8']);
      await expect(filter.readersOf(reply, ['1', '2', '7', '8'])).resolves.toEqual(['2', '7', '8']);
      expect(graph.followersAmong).toHaveBeenCalledTimes(1);
      expect(graph.followersAmong).toHaveBeenCalledWith('8', ['1', '2']);
    });

    it('asks nothing for a plain post or an author answering themselves', async () => {
      const { filter, graph } = setup({});
      await expect(filter.readersOf({ author: { id: '7' }, replyTo: { author: { id: '7' } } }, ['1', '2'])).resolves.toEqual(['1', '2']);
      await expect(filter.readersOf({ author: { id: '7' }, replyTo: null }, ['1'])).resolves.toEqual(['1']);
      expect(graph.followersAmong).not.toHaveBeenCalled();
    });

    it('asks once per page which of the accounts replied to the reader follows', async () => {
      const { filter, graph } = setup({}, ['1>8']);
      const posts = [reply, { author: { id: '7' }, replyTo: { author: { id: '9' } } }, { author: { id: '1' }, replyTo: { author: { id: '9' } } }, { author: { id: '7' }, replyTo: { author: { id: '1' } } }];
      await expect(filter.postsFor('1', posts)).resolves.toEqual([posts[0], posts[2], posts[3]]);
      expect(graph.followeesAmong).toHaveBeenCalledTimes(1);
      expect(graph.followeesAmong).toHaveBeenCalledWith('1', ['8', '9']);
    });

    it('asks nothing when the reader’s relations came with their following, and answers from it', async () => {
      const { filter, graph } = setup({ '1': { follows: ['8', '7'] } });
      const posts = [reply, { author: { id: '7' }, replyTo: { author: { id: '9' } } }, { author: { id: '7' }, replyTo: { author: { id: '1' } } }];
      await expect(filter.postsFor('1', posts)).resolves.toEqual([posts[0], posts[2]]);
      expect(graph.followeesAmong).not.toHaveBeenCalled();
    });

    it('sends a reply to another account to listed readers, never to a whole room', () => {
      const { filter } = setup({});
      expect(filter.fitsRoom(reply)).toBe(false);
      expect(filter.fitsRoom({ author: { id: '7' }, replyTo: { author: { id: '7' } } })).toBe(true);
      expect(filter.fitsRoom({ author: { id: '7' } })).toBe(true);
    });
  });

  describe('rule 2: reposts', () => {
    it('keeps a repost from the author of the original, but not from the reposter', async () => {
      const { filter } = setup({});
      const repost = { author: { id: '7' }, repostOf: { author: { id: '8' } } };
      await expect(filter.readersOf(repost, ['1', '7', '8'])).resolves.toEqual(['1', '7']);
      const self = { author: { id: '8' }, repostOf: { author: { id: '8' } } };
      await expect(filter.readersOf(self, ['8'])).resolves.toEqual(['8']);
    });

    it('drops from a page a repost whose original, or another repost of it, is among the window of posts below it', async () => {
      const { filter } = setup({});
      const post = (id: string, original?: string) => ({ id, author: { id: '7' }, repostOf: original ? { id: original, author: { id: '9' } } : null });
      // Window 2 (see setup): r1 has its original 2 below, r3 has r4 of the same original 1 below, r5's original is 3 below.
      const page = [post('r5', 'x'), post('r1', 'o'), post('p'), post('o'), post('r3', 'y'), post('r4', 'y'), post('q'), post('x')];
      await expect(filter.postsFor('1', page)).resolves.toEqual([page[0], page[2], page[3], page[5], page[6], page[7]]);
    });
  });

  it('asks nothing for an empty batch or page', async () => {
    const { filter, graph } = setup({});
    await expect(filter.readersOf({ author: { id: '7' } }, [])).resolves.toEqual([]);
    await expect(filter.postsFor('1', [])).resolves.toEqual([]);
    expect(graph.relationsOf).not.toHaveBeenCalled();
  });

  it('names the readers a room push must skip: those a relation of the subjects keeps out, and no one else', async () => {
    const { filter } = setup({ '7': { mutedBy: ['2'], repostsHiddenBy: ['5'], mutes: ['6'] }, '8': { blocks: ['3'] } });
    const repost = { author: { id: '7' }, repostOf: { author: { id: '8' } } };
    // 8 wrote the original (rule 2).
    expect((await filter.keptOut(repost)).sort()).toEqual(['2', '3', '5', '8']);
    // Not a repost: hiding reposts does not apply, and the original's relations are not asked.
    expect((await filter.keptOut({ author: { id: '7' } })).sort()).toEqual(['2']);
  });

  it('says whether a reader hides an account altogether (a block or a mute)', async () => {
    const { filter } = setup({ '1': { mutes: ['7'], blocks: ['8'], hidesRepostsOf: ['9'] } });
    await expect(filter.hidesAccount('1', '7')).resolves.toBe(true);
    await expect(filter.hidesAccount('1', '8')).resolves.toBe(true);
    await expect(filter.hidesAccount('1', '9')).resolves.toBe(false);
  });
});
