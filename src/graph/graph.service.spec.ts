import { ForbiddenException, Logger } from '@nestjs/common';
import { Database } from '../database/database';
import { BlocksRepository } from './blocks.repository';
import { FollowsRepository } from './follows.repository';
import { GraphEdit, GraphService } from './graph.service';
import { MutesRepository } from './mutes.repository';
import { RelationsCache } from './relations-cache.repository';
import { RelationsRepository } from './relations.repository';
import { toUserRelations } from './relations';

function setup() {
  const events: string[] = [];
  const tx = { tx: true };
  const db = {
    execute: jest.fn().mockResolvedValue(1),
    transaction: jest.fn(async (work: (t: unknown) => Promise<unknown>) => {
      const result = await work(tx);
      events.push('commit');
      return result;
    }),
  };
  const follows = {
    add: jest.fn().mockResolvedValue({ seq: '5', reposts: true, relationChanged: false }),
    remove: jest.fn().mockResolvedValue({ seq: '5', reposts: true }),
    removeBetween: jest.fn().mockResolvedValue([]),
  };
  const blocks = { eitherWay: jest.fn().mockResolvedValue(false), add: jest.fn().mockResolvedValue('9'), remove: jest.fn().mockResolvedValue('9') };
  const mutes = { add: jest.fn().mockResolvedValue('3'), remove: jest.fn().mockResolvedValue(undefined) };
  const relations = { load: jest.fn().mockResolvedValue({ blocks: ['8'], mutes: [], mutedBy: [], hidesRepostsOf: [], repostsHiddenBy: [] }) };
  const cache = {
    get: jest.fn().mockResolvedValue({ relations: null, version: '4' }),
    put: jest.fn().mockResolvedValue(undefined),
    invalidate: jest.fn(async (id: string) => {
      events.push(`invalidate ${id}`);
    }),
  };
  const service = new GraphService(
    db as unknown as Database,
    follows as unknown as FollowsRepository,
    blocks as unknown as BlocksRepository,
    mutes as unknown as MutesRepository,
    relations as unknown as RelationsRepository,
    cache as unknown as RelationsCache,
  );
  return { service, events, db, follows, blocks, mutes, relations, cache };
}

beforeAll(() => Logger.overrideLogger(false));

describe('GraphService', () => {
  describe('change', () => {
    it('locks the pair first, in one transaction', async () => {
      const m = setup();
      await m.service.change('1', '2', (edit) => edit.follow('1', '2'));
      expect(m.db.execute.mock.calls[0][0]).toMatch(/pg_advisory_xact_lock/);
      expect(m.db.execute.mock.calls[0][1]).toEqual(['1', '2']);
      expect(m.db.execute.mock.invocationCallOrder[0]).toBeLessThan(m.follows.add.mock.invocationCallOrder[0]);
    });

    it('invalidates only the follower’s entry for a plain follow (it lists whom they follow), never the followee’s', async () => {
      const m = setup();
      await expect(m.service.change('1', '2', (edit) => edit.follow('1', '2'))).resolves.toEqual({ seq: '5', reposts: true });
      expect(m.events).toEqual(['invalidate 1', 'commit', 'invalidate 1']);
    });

    it('invalidates nothing for a follow that was there already, with the same reposts flag', async () => {
      const m = setup();
      m.follows.add.mockResolvedValue({ reposts: true, relationChanged: false });
      await m.service.change('1', '2', (edit) => edit.follow('1', '2'));
      expect(m.cache.invalidate).not.toHaveBeenCalled();
    });

    it('invalidates both users before the commit and again after, when a block, a mute or a reposts flag changes', async () => {
      const works: ((edit: GraphEdit) => Promise<unknown>)[] = [
        (edit) => edit.block('1', '2'),
        (edit) => edit.mute('1', '2'),
        (edit) => edit.follow('1', '2', false),
      ];
      for (const work of works) {
        const m = setup();
        m.follows.add.mockResolvedValue({ reposts: false, relationChanged: true });
        await m.service.change('1', '2', work);
        expect(m.events).toEqual(['invalidate 1', 'invalidate 2', 'commit', 'invalidate 1', 'invalidate 2']);
      }
    });

    it('invalidates the follower alone for an unfollow, both for one that hid reposts, and no one for what was not there', async () => {
      const m = setup();
      await m.service.change('1', '2', (edit) => edit.unmute('1', '2'));
      m.follows.remove.mockResolvedValue(undefined);
      await m.service.change('1', '2', (edit) => edit.unfollow('1', '2'));
      expect(m.cache.invalidate).not.toHaveBeenCalled();

      const plain = setup();
      await plain.service.change('1', '2', (edit) => edit.unfollow('1', '2'));
      expect(plain.events).toEqual(['invalidate 1', 'commit', 'invalidate 1']);

      const hid = setup();
      hid.follows.remove.mockResolvedValue({ seq: '5', reposts: false });
      await hid.service.change('1', '2', (edit) => edit.unfollow('1', '2'));
      expect(hid.events).toEqual(['invalidate 1', 'invalidate 2', 'commit', 'invalidate 1', 'invalidate 2']);
    });

    it('fails the change (rolled back, never committed) when Redis cannot be told', async () => {
      const m = setup();
      m.cache.invalidate.mockRejectedValue(new Error('Connection is closed.'));
      await expect(m.service.change('1', '2', (edit) => edit.mute('1', '2'))).rejects.toThrow('Connection is closed.');
      expect(m.events).not.toContain('commit');
    });

    it('refuses a follow across a block with 403, before writing it', async () => {
      const m = setup();
      m.blocks.eitherWay.mockResolvedValue(true);
      await expect(m.service.change('1', '2', (edit) => edit.follow('1', '2'))).rejects.toThrow(ForbiddenException);
      expect(m.follows.add).not.toHaveBeenCalled();
    });

    it('removes the follows both ways with a block', async () => {
      const m = setup();
      m.follows.removeBetween.mockResolvedValue([{ followerId: '1', followeeId: '2', seq: '5' }]);
      await expect(m.service.change('1', '2', (edit) => edit.block('1', '2'))).resolves.toEqual({
        added: true,
        removed: [{ followerId: '1', followeeId: '2', seq: '5' }],
      });
      expect(m.follows.removeBetween).toHaveBeenCalledWith({ tx: true }, '1', '2');
    });
  });

  describe('relationsOf', () => {
    it('loads each user once, from PostgreSQL on a miss, and caches it at the version read before', async () => {
      const m = setup();
      const relations = await m.service.relationsOf(['7', '7']);
      expect(m.relations.load).toHaveBeenCalledTimes(1);
      expect(m.cache.put).toHaveBeenCalledWith('7', '4', expect.objectContaining({ blocks: ['8'] }));
      expect(relations.blockedEitherWay('8', '7')).toBe(true);
    });

    it('serves a cached entry without asking PostgreSQL', async () => {
      const m = setup();
      m.cache.get.mockResolvedValue({ relations: toUserRelations({ mutes: ['9'] }), version: '4' });
      const relations = await m.service.relationsOf(['7']);
      expect(m.relations.load).not.toHaveBeenCalled();
      expect(relations.mutes('7', '9')).toBe(true);
    });

    it('answers from PostgreSQL, caching nothing, when Redis is away', async () => {
      const m = setup();
      m.cache.get.mockRejectedValue(new Error('Connection is closed.'));
      const relations = await m.service.relationsOf(['7']);
      expect(relations.blockedEitherWay('7', '8')).toBe(true);
      expect(m.cache.put).not.toHaveBeenCalled();
    });
  });
});
