import { BadRequestException, ConflictException, ForbiddenException, Logger, NotFoundException } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { Database } from '../database/database';
import { FanoutService } from '../fanout/fanout.service';
import { FanoutStatusRepository } from '../fanout/fanout-status.repository';
import { FanoutPost, RetractPost } from '../jobs/job-catalogue';
import { JobDispatcher } from '../jobs/job-dispatcher';
import { GraphService } from '../graph/graph.service';
import { PostHydrator } from '../post-store/post-hydrator.service';
import { PostRow } from '../post-store/post.presenter';
import { PostsRepository } from '../post-store/posts.repository';
import { LiveFeedService } from '../realtime/live-feed.service';
import { TimelineService } from '../timelines/timeline.service';
import { UsersRepository } from '../users/users.repository';
import { UsersService } from '../users/users.service';
import { PostsService } from './posts.service';

const row: PostRow = {
  id: '500',
  text: 'hello',
  created_at: new Date('2026-01-02T03:04:05.000Z'),
  author_id: '7',
  author_username: 'alice',
  author_display_name: 'Alice',
};
const view = {
  id: '500',
  text: 'hello',
  createdAt: '2026-01-02T03:04:05.000Z',
  author: { id: '7', username: 'alice', displayName: 'Alice' },
};

function setup(fanoutMode: 'queue' | 'inline' = 'queue') {
  const events: string[] = [];
  const tx = { fake: 'tx' };
  const db = {
    transaction: jest.fn(async (work: (t: unknown) => Promise<unknown>) => {
      events.push('begin');
      const result = await work(tx);
      events.push('commit');
      return result;
    }),
  };
  const posts = {
    claim: jest.fn().mockResolvedValue({ kind: 'new', postId: '500' }),
    insert: jest.fn().mockResolvedValue(row),
    findLive: jest.fn().mockResolvedValue(row),
    findAuthor: jest.fn().mockResolvedValue({ author_id: '7', deleted: false }),
    softDelete: jest.fn().mockResolvedValue(true),
    listByAuthor: jest.fn().mockResolvedValue([]),
  };
  const users = { addToPostsCount: jest.fn().mockResolvedValue(undefined) };
  const userLookup = { require: jest.fn() };
  const status = { createPending: jest.fn().mockResolvedValue(undefined), find: jest.fn() };
  const dispatcher = {
    record: jest.fn(async (_tx: unknown, spec: { name: string }, data: unknown) => {
      events.push(`record ${spec.name}`);
      return { spec, data };
    }),
    send: jest.fn(async () => {
      events.push('send');
    }),
  };
  const timelines = {
    publish: jest.fn(async () => {
      events.push('publish');
    }),
    retract: jest.fn().mockResolvedValue(undefined),
  };
  const hydrator = {
    remember: jest.fn().mockResolvedValue(undefined),
    forget: jest.fn().mockResolvedValue(undefined),
    hydrate: jest.fn().mockResolvedValue([]),
  };
  const fanout = { fanoutInline: jest.fn().mockResolvedValue(undefined) };
  const live = { toAuthor: jest.fn() };
  const config = { fanoutMode } as AppConfig;
  const graph = { isBlocking: jest.fn().mockResolvedValue(false) };
  const service = new PostsService(db as unknown as Database, posts as unknown as PostsRepository, users as unknown as UsersRepository, userLookup as unknown as UsersService, status as unknown as FanoutStatusRepository, dispatcher as unknown as JobDispatcher, timelines as unknown as TimelineService, hydrator as unknown as PostHydrator, fanout as unknown as FanoutService, live as unknown as LiveFeedService, config, graph as unknown as GraphService);
  return { service, events, tx, db, posts, users, userLookup, status, dispatcher, timelines, hydrator, fanout, graph };
}

beforeAll(() => Logger.overrideLogger(false));

describe('PostsService', () => {
  describe('create', () => {
    it('stores the post with its fan-out record and outbox job in one transaction, and sends the job after commit', async () => {
      const m = setup();
      await expect(m.service.create('7', { text: 'hello' })).resolves.toEqual({ post: view, replayed: false });

      expect(m.db.transaction).toHaveBeenCalledTimes(1);
      expect(m.posts.claim).toHaveBeenCalledWith(m.tx, '7', undefined);
      expect(m.posts.insert).toHaveBeenCalledWith(m.tx, '500', '7', 'hello');
      expect(m.users.addToPostsCount).toHaveBeenCalledWith('7', 1, m.tx);
      expect(m.status.createPending).toHaveBeenCalledWith(m.tx, '500');
      expect(m.dispatcher.record).toHaveBeenCalledWith(m.tx, FanoutPost, { postId: '500', authorId: '7' });
      expect(m.dispatcher.send).toHaveBeenCalledWith({ spec: FanoutPost, data: { postId: '500', authorId: '7' } });
      expect(m.events).toEqual(['begin', 'record fanout-post', 'commit', 'publish', 'send']);
    });

    it('puts the post on the author own timeline and in the post cache', async () => {
      const m = setup();
      await m.service.create('7', { text: 'hello' });
      expect(m.timelines.publish).toHaveBeenCalledWith('7', '500');
      expect(m.hydrator.remember).toHaveBeenCalledWith(view);
    });

    it('passes a valid Idempotency-Key to the claim', async () => {
      const m = setup();
      await m.service.create('7', { text: 'hello' }, 'key-1');
      expect(m.posts.claim).toHaveBeenCalledWith(m.tx, '7', 'key-1');
    });

    it('answers a replay with the original post, and neither stores, publishes nor sends anything', async () => {
      const m = setup();
      m.posts.claim.mockResolvedValue({ kind: 'replay', postId: '500' });
      await expect(m.service.create('7', { text: 'hello' }, 'key-1')).resolves.toEqual({ post: view, replayed: true });
      expect(m.posts.findLive).toHaveBeenCalledWith('500');
      expect(m.posts.insert).not.toHaveBeenCalled();
      expect(m.users.addToPostsCount).not.toHaveBeenCalled();
      expect(m.status.createPending).not.toHaveBeenCalled();
      expect(m.dispatcher.record).not.toHaveBeenCalled();
      expect(m.timelines.publish).not.toHaveBeenCalled();
      expect(m.hydrator.remember).not.toHaveBeenCalled();
      expect(m.dispatcher.send).not.toHaveBeenCalled();
    });

    it('answers 409 to a replay whose post has since been deleted', async () => {
      const m = setup();
      m.posts.claim.mockResolvedValue({ kind: 'replay', postId: '500' });
      m.posts.findLive.mockResolvedValue(undefined);
      await expect(m.service.create('7', { text: 'hello' }, 'key-1')).rejects.toThrow(ConflictException);
      expect(m.dispatcher.send).not.toHaveBeenCalled();
    });

    it('still returns the post, and still sends the job, when Redis fails in publish', async () => {
      const m = setup();
      m.timelines.publish.mockRejectedValue(new Error('Connection is closed.'));
      await expect(m.service.create('7', { text: 'hello' })).resolves.toEqual({ post: view, replayed: false });
      expect(m.dispatcher.send).toHaveBeenCalledTimes(1);
    });

    it('still returns the post when caching it fails', async () => {
      const m = setup();
      m.hydrator.remember.mockRejectedValue(new Error('Command timed out'));
      await expect(m.service.create('7', { text: 'hello' })).resolves.toEqual({ post: view, replayed: false });
      expect(m.dispatcher.send).toHaveBeenCalledTimes(1);
    });

    it('fails, and sends nothing, when the transaction fails', async () => {
      const m = setup();
      m.status.createPending.mockRejectedValue(new Error('Connection terminated'));
      await expect(m.service.create('7', { text: 'hello' })).rejects.toThrow('Connection terminated');
      expect(m.timelines.publish).not.toHaveBeenCalled();
      expect(m.dispatcher.send).not.toHaveBeenCalled();
    });

    it.each([
      ['empty', ''],
      ['with a space', 'a b'],
      ['with a control character', 'a\nb'],
      ['non-ASCII', 'clé'],
      ['longer than 255 characters', 'k'.repeat(256)],
    ])('answers 400 to an Idempotency-Key that is %s, before touching the database', async (_, key) => {
      const m = setup();
      await expect(m.service.create('7', { text: 'hello' }, key)).rejects.toThrow(BadRequestException);
      expect(m.db.transaction).not.toHaveBeenCalled();
    });

    it('accepts an Idempotency-Key of 255 printable characters', async () => {
      const m = setup();
      const key = '~'.repeat(255);
      await m.service.create('7', { text: 'hello' }, key);
      expect(m.posts.claim).toHaveBeenCalledWith(m.tx, '7', key);
    });
  });

  describe('create with FANOUT_MODE=inline (benchmark baseline)', () => {
    it('runs the whole fan-out inside the request instead of enqueueing it', async () => {
      const m = setup('inline');
      await m.service.create('7', { text: 'hello' });
      expect(m.fanout.fanoutInline).toHaveBeenCalledWith({ postId: '500', authorId: '7' });
      expect(m.dispatcher.send).not.toHaveBeenCalled();
    });
  });

  describe('delete', () => {
    it('soft-deletes, records the retraction in the transaction, and sends it after', async () => {
      const m = setup();
      await expect(m.service.delete('7', '500')).resolves.toBeUndefined();
      expect(m.posts.softDelete).toHaveBeenCalledWith(m.tx, '500');
      expect(m.users.addToPostsCount).toHaveBeenCalledWith('7', -1, m.tx);
      expect(m.dispatcher.record).toHaveBeenCalledWith(m.tx, RetractPost, { postId: '500', authorId: '7' });
      expect(m.hydrator.forget).toHaveBeenCalledWith('500');
      expect(m.timelines.retract).toHaveBeenCalledWith('7', '500');
      expect(m.dispatcher.send).toHaveBeenCalledWith({ spec: RetractPost, data: { postId: '500', authorId: '7' } });
      expect(m.events).toEqual(['begin', 'record retract-post', 'commit', 'send']);
    });

    it('answers 403 to anyone but the author', async () => {
      const m = setup();
      await expect(m.service.delete('8', '500')).rejects.toThrow(ForbiddenException);
      expect(m.db.transaction).not.toHaveBeenCalled();
      expect(m.dispatcher.send).not.toHaveBeenCalled();
    });

    it('answers 404 for a deleted post, even to its author', async () => {
      const m = setup();
      m.posts.findAuthor.mockResolvedValue({ author_id: '7', deleted: true });
      await expect(m.service.delete('7', '500')).rejects.toThrow(NotFoundException);
      expect(m.db.transaction).not.toHaveBeenCalled();
    });

    it('answers 404 for a deleted post to someone else, not 403', async () => {
      const m = setup();
      m.posts.findAuthor.mockResolvedValue({ author_id: '7', deleted: true });
      await expect(m.service.delete('8', '500')).rejects.toThrow(NotFoundException);
    });

    it('answers 404 for an unknown post', async () => {
      const m = setup();
      m.posts.findAuthor.mockResolvedValue(undefined);
      await expect(m.service.delete('7', '999')).rejects.toThrow(NotFoundException);
      expect(m.db.transaction).not.toHaveBeenCalled();
    });

    it('answers 404, and records nothing, when a concurrent delete won', async () => {
      const m = setup();
      m.posts.softDelete.mockResolvedValue(false);
      await expect(m.service.delete('7', '500')).rejects.toThrow(NotFoundException);
      expect(m.users.addToPostsCount).not.toHaveBeenCalled();
      expect(m.dispatcher.record).not.toHaveBeenCalled();
      expect(m.dispatcher.send).not.toHaveBeenCalled();
    });

    it('still succeeds when Redis fails to forget or retract', async () => {
      const m = setup();
      m.hydrator.forget.mockRejectedValue(new Error('Connection is closed.'));
      m.timelines.retract.mockRejectedValue(new Error('Connection is closed.'));
      await expect(m.service.delete('7', '500')).resolves.toBeUndefined();
      expect(m.dispatcher.send).toHaveBeenCalledTimes(1);
    });
  });

  describe('get', () => {
    it('returns the hydrated post', async () => {
      const m = setup();
      m.hydrator.hydrate.mockResolvedValue([view]);
      await expect(m.service.get('500')).resolves.toEqual(view);
      expect(m.hydrator.hydrate).toHaveBeenCalledWith(['500']);
    });

    it('answers 404 when the post is gone', async () => {
      const m = setup();
      await expect(m.service.get('500')).rejects.toThrow(NotFoundException);
    });
  });

  describe('fanoutStatus', () => {
    it('answers the author with the status', async () => {
      const m = setup();
      m.status.find.mockResolvedValue({
        post_id: '500',
        state: 'done',
        followers: 3,
        delivered: 3,
        chunks_total: 1,
        chunks_done: 1,
        started_at: new Date('2026-01-02T03:04:05.000Z'),
        finished_at: new Date('2026-01-02T03:04:06.000Z'),
        delay_ms: 1000,
      });
      await expect(m.service.fanoutStatus('7', '500')).resolves.toEqual({
        postId: '500',
        state: 'done',
        followers: 3,
        delivered: 3,
        startedAt: '2026-01-02T03:04:05.000Z',
        finishedAt: '2026-01-02T03:04:06.000Z',
        delayMs: 1000,
      });
    });

    it('answers 403 to anyone but the author', async () => {
      const m = setup();
      await expect(m.service.fanoutStatus('8', '500')).rejects.toThrow(ForbiddenException);
      expect(m.status.find).not.toHaveBeenCalled();
    });
  });

  describe('listByAuthor', () => {
    it('asks one row more than the limit, from the cursor, and pages the result', async () => {
      const m = setup();
      m.userLookup.require.mockResolvedValue({ id: '7' });
      m.posts.listByAuthor.mockResolvedValue([row, { ...row, id: '400' }]);
      const page = await m.service.listByAuthor('9', 'alice', { limit: 1 });
      expect(m.userLookup.require).toHaveBeenCalledWith('alice');
      expect(m.posts.listByAuthor).toHaveBeenCalledWith('7', undefined, 2);
      expect(page.items).toEqual([view]);
      expect(page.nextCursor).not.toBeNull();
    });

    it('answers 400 to a malformed cursor', async () => {
      const m = setup();
      m.userLookup.require.mockResolvedValue({ id: '7' });
      await expect(m.service.listByAuthor('9', 'alice', { limit: 20, cursor: 'nope!' })).rejects.toThrow(BadRequestException);
      expect(m.posts.listByAuthor).not.toHaveBeenCalled();
    });

    it('answers 403 to a reader the author blocks, and asks which way the block goes', async () => {
      const m = setup();
      m.userLookup.require.mockResolvedValue({ id: '7' });
      m.graph.isBlocking.mockResolvedValue(true);
      await expect(m.service.listByAuthor('9', 'alice', { limit: 20 })).rejects.toThrow(ForbiddenException);
      expect(m.graph.isBlocking).toHaveBeenCalledWith('7', '9');
      expect(m.posts.listByAuthor).not.toHaveBeenCalled();
    });
  });
});
