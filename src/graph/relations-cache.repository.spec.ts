import { RedisClient } from '../redis/redis-client';
import { RedisKeys } from '../redis/redis-keys';
import { RelationsCache } from './relations-cache.repository';
import { toUserRelations } from './relations';

type Reply = [Error | null, string | null];

/** A cache whose pipeline answers the two GETs with `replies` as they are at each read. */
function cacheOver(replies: Reply[]) {
  const pipeline = { get: () => pipeline, exec: async () => replies };
  return new RelationsCache({ pipeline: () => pipeline } as unknown as RedisClient, new RedisKeys('t:'));
}

const cacheAnswering = (entry: Reply, version: Reply) => cacheOver([entry, version]);

describe('RelationsCache', () => {
  it('serves an entry stamped with the current version, and misses one stamped with an older', async () => {
    const stored = { blocks: ['8'], mutes: [], mutedBy: [], hidesRepostsOf: [], repostsHiddenBy: [], follows: ['9'] };
    await expect(cacheAnswering([null, `3|${JSON.stringify(stored)}`], [null, '3']).get('1')).resolves.toEqual({
      relations: toUserRelations(stored),
      version: '3',
    });
    await expect(cacheAnswering([null, `2|${JSON.stringify(stored)}`], [null, '3']).get('1')).resolves.toEqual({ relations: null, version: '3' });
  });

  it('parses an entry once while its text stays the same, and again when it changes', async () => {
    const stored = { blocks: ['8'], mutes: [], mutedBy: [], hidesRepostsOf: [], repostsHiddenBy: [], follows: ['9'] };
    const replies: Reply[] = [
      [null, `3|${JSON.stringify(stored)}`],
      [null, '3'],
    ];
    const cache = cacheOver(replies);
    const first = (await cache.get('1')).relations;
    expect((await cache.get('1')).relations).toBe(first);
    replies.splice(0, 2, [null, `4|${JSON.stringify({ ...stored, follows: ['9', '10'] })}`], [null, '4']);
    expect((await cache.get('1')).relations?.follows).toEqual(new Set(['9', '10']));
  });

  it('fails with the error of the command that failed, for the caller to fall back on PostgreSQL', async () => {
    const down = new Error("Stream isn't writeable and enableOfflineQueue options is false");
    await expect(cacheAnswering([down, null], [down, null]).get('1')).rejects.toBe(down);
  });
});
