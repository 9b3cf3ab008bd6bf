import { GraphService } from '../graph/graph.service';
import { Relations, toUserRelations } from '../graph/relations';
import { FeedFilter } from './feed-filter.service';

function setup(relations: Record<string, Parameters<typeof toUserRelations>[0]>) {
  const graph = {
    relationsOf: jest.fn(async (ids: string[]) => Relations.of(ids.map((id) => [id, toUserRelations(relations[id] ?? {})]))),
  };
  return { filter: new FeedFilter(graph as unknown as GraphService), graph };
}

describe('FeedFilter', () => {
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

  it('asks nothing for an empty batch or page', async () => {
    const { filter, graph } = setup({});
    await expect(filter.readersOf({ author: { id: '7' } }, [])).resolves.toEqual([]);
    await expect(filter.postsFor('1', [])).resolves.toEqual([]);
    expect(graph.relationsOf).not.toHaveBeenCalled();
  });

  it('names the readers a room push must skip: those a relation of the subjects keeps out, and no one else', async () => {
    const { filter } = setup({ '7': { mutedBy: ['2'], repostsHiddenBy: ['5'], mutes: ['6'] }, '8': { blocks: ['3'] } });
    const repost = { author: { id: '7' }, repostOf: { author: { id: '8' } } };
    expect((await filter.keptOut(repost)).sort()).toEqual(['2', '3', '5']);
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
