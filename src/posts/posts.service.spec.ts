import { BadRequestException, ConflictException, ForbiddenException, Logger, NotFoundException } from '@nestjs/common';
import { Database } from '../database/database';
import { FanoutStatusRepository } from '../fanout/fanout-status.repository';
import { PostPublisher } from '../fanout/post-publisher.service';
import { GraphService } from '../graph/graph.service';
import { FanoutPost, RetractPost } from '../jobs/job-catalogue';
import { JobDispatcher } from '../jobs/job-dispatcher';
import { PostHydrator } from '../post-store/post-hydrator.service';
import { PostRow } from '../post-store/post.presenter';
import { PostLinks, PostsRepository } from '../post-store/posts.repository';
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
  reply_to_id: null,
  reply_to_author_id: null,
  reply_to_username: null,
  reply_to_display_name: null,
  repost_of_id: null,
};

const view = {
  id: '500',
  text: 'hello',
  createdAt: '2026-01-02T03:04:05.000Z',
  author: { id: '7', username: 'alice', displayName: 'Alice' },
  replyTo: null,
  repostOf: null,
};

const links = (over: Partial<PostLinks> = {}): PostLinks => ({
  author_id: '7',
  deleted: false,
  reply_to_author_id: null,
  repost_of_id: null,
  original_author_id: null,
  ...over,
});

function setup() {
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
    repost: jest.fn(),
    findRepostId: jest.fn().mockResolvedValue(undefined),
    softDeleteReposts: jest.fn().mockResolvedValue([]),
    findLive: jest.fn().mockResolvedValue(row),
    findLinks: jest.fn().mockResolvedValue(links()),
    softDelete: jest.fn().mockResolvedValue(true),
    listByAuthor: jest.fn().mockResolvedValue([]),
    listReplies: jest.fn().mockResolvedValue([]),
  };
  const users = { addToPostsCount: jest.fn().mockResolvedValue(undefined) };
  const userLookup = { require: jest.fn() };
  const status = { createPending: jest.fn().mockResolvedValue(undefined), find: jest.fn() };
  const dispatcher = {
    record: jest.fn(async (_tx: unknown, spec: { name: string }, data: unknown) => {
      events.push(`record ${spec.name}`);
      return { spec, data };
    }),
  };
  const hydrator = { hydrate: jest.fn().mockResolvedValue([]) };
  const publisher = {
    published: jest.fn(async () => {
      events.push('published');
    }),
    deleted: jest.fn(async () => {
      events.push('deleted');
    }),
  };
  const graph = { isBlocking: jest.fn().mockResolvedValue(false) };
  const service = new PostsService(
    db as unknown as Database,
    posts as unknown as PostsRepository,
    users as unknown as UsersRepository,
    userLookup as unknown as UsersService,
    status as unknown as FanoutStatusRepository,
    dispatcher as unknown as JobDispatcher,
    hydrator as unknown as PostHydrator,
    publisher as unknown as PostPublisher,
    graph as unknown as GraphService,
  );
  return { service, events, tx, db, posts, users, userLookup, status, dispatcher, hydrator, publisher, graph };
}

beforeAll(() => Logger.overrideLogger(false));

describe('PostsService', () => {
  describe('create', () => {
    it('stores the post with its fan-out record and outbox job in one transaction, and publishes it after commit', async () => {
      const m = setup();
      await expect(m.service.create('7', { text: 'hello' })).resolves.toEqual({ post: view, replayed: false });
      expect(m.db.transaction).toHaveBeenCalledTimes(1);
      expect(m.posts.claim).toHaveBeenCalledWith(m.tx, '7', undefined);
      expect(m.posts.insert).toHaveBeenCalledWith(m.tx, '500', '7', 'hello', undefined);
      expect(m.users.addToPostsCount).toHaveBeenCalledWith('7', 1, m.tx);
      expect(m.status.createPending).toHaveBeenCalledWith(m.tx, '500');
      expect(m.dispatcher.record).toHaveBeenCalledWith(m.tx, FanoutPost, { postId: '500', authorId: '7' });
      expect(m.publisher.published).toHaveBeenCalledWith(view, { spec: FanoutPost, data: { postId: '500', authorId: '7' } });
      expect(m.events).toEqual(['begin', 'record fanout-post', 'commit', 'published']);
    });

    it('passes the post replied to, and answers 404 (rolling the transaction back) when it is not live', async () => {
      const m = setup();
      m.posts.insert.mockResolvedValue(undefined);
      await expect(m.service.create('7', { text: 'hi', replyToId: '42' }, 'key-1')).rejects.toThrow(NotFoundException);
      expect(m.posts.insert).toHaveBeenCalledWith(m.tx, '500', '7', 'hi', '42');
      expect(m.events).toEqual(['begin']);
      expect(m.dispatcher.record).not.toHaveBeenCalled();
      expect(m.publisher.published).not.toHaveBeenCalled();
    });

    it('passes a valid Idempotency-Key to the claim', async () => {
      const m = setup();
      await m.service.create('7', { text: 'hello' }, 'key-1');
      expect(m.posts.claim).toHaveBeenCalledWith(m.tx, '7', 'key-1');
    });

    it('answers a replay with the original post, and neither stores nor publishes anything', async () => {
      const m = setup();
      m.posts.claim.mockResolvedValue({ kind: 'replay', postId: '500' });
      await expect(m.service.create('7', { text: 'hello' }, 'key-1')).resolves.toEqual({ post: view, replayed: true });
      expect(m.posts.findLive).toHaveBeenCalledWith('500');
      expect(m.posts.insert).not.toHaveBeenCalled();
      expect(m.users.addToPostsCount).not.toHaveBeenCalled();
      expect(m.status.createPending).not.toHaveBeenCalled();
      expect(m.dispatcher.record).not.toHaveBeenCalled();
      expect(m.publisher.published).not.toHaveBeenCalled();
    });

    it('answers 409 to a replay whose post has since been deleted', async () => {
      const m = setup();
      m.posts.claim.mockResolvedValue({ kind: 'replay', postId: '500' });
      m.posts.findLive.mockResolvedValue(undefined);
      await expect(m.service.create('7', { text: 'hello' }, 'key-1')).rejects.toThrow(ConflictException);
      expect(m.publisher.published).not.toHaveBeenCalled();
    });

    it('fails, and publishes nothing, when the transaction fails', async () => {
      const m = setup();
      m.status.createPending.mockRejectedValue(new Error('Connection terminated'));
      await expect(m.service.create('7', { text: 'hello' })).rejects.toThrow('Connection terminated');
      expect(m.publisher.published).not.toHaveBeenCalled();
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

  describe('repost', () => {
    const repostRow: PostRow = { ...row, id: '600', author_id: '8', text: '', repost_of_id: '500' };

    it('stores a new repost like a post and publishes it', async () => {
      const m = setup();
      m.posts.repost.mockResolvedValue({ row: repostRow, created: true });
      const result = await m.service.repost('8', '500');
      expect(result.created).toBe(true);
      expect(m.posts.repost).toHaveBeenCalledWith(m.tx, '8', '500');
      expect(m.users.addToPostsCount).toHaveBeenCalledWith('8', 1, m.tx);
      expect(m.status.createPending).toHaveBeenCalledWith(m.tx, '600');
      expect(m.publisher.published).toHaveBeenCalledWith(result.post, { spec: FanoutPost, data: { postId: '600', authorId: '8' } });
    });

    it('reposts the original when asked to repost a repost', async () => {
      const m = setup();
      m.posts.findLinks.mockResolvedValue(links({ author_id: '9', repost_of_id: '500' }));
      m.posts.repost.mockResolvedValue({ row: repostRow, created: true });
      await m.service.repost('8', '650');
      expect(m.posts.repost).toHaveBeenCalledWith(m.tx, '8', '500');
    });

    it('answers the existing repost, storing and publishing nothing, when the caller had reposted it', async () => {
      const m = setup();
      m.posts.repost.mockResolvedValue({ row: repostRow, created: false });
      const result = await m.service.repost('8', '500');
      expect(result).toMatchObject({ created: false, post: { id: '600' } });
      expect(m.status.createPending).not.toHaveBeenCalled();
      expect(m.publisher.published).not.toHaveBeenCalled();
    });

    it.each([
      ['unknown', undefined],
      ['deleted', links({ deleted: true })],
    ])('answers 404 for an %s post', async (_, found) => {
      const m = setup();
      m.posts.findLinks.mockResolvedValue(found);
      await expect(m.service.repost('8', '500')).rejects.toThrow(NotFoundException);
      expect(m.db.transaction).not.toHaveBeenCalled();
    });
  });

  describe('unrepost', () => {
    it('deletes the caller’s repost of the original', async () => {
      const m = setup();
      m.posts.findRepostId.mockResolvedValue('600');
      await m.service.unrepost('8', '500');
      expect(m.posts.findRepostId).toHaveBeenCalledWith('8', '500');
      expect(m.posts.softDelete).toHaveBeenCalledWith(m.tx, '600');
      expect(m.publisher.deleted).toHaveBeenCalledWith([{ postId: '600', authorId: '8' }], [{ spec: RetractPost, data: { postId: '600', authorId: '8' } }]);
    });

    it('does nothing, without failing, when there is no repost', async () => {
      const m = setup();
      await expect(m.service.unrepost('8', '500')).resolves.toBeUndefined();
      expect(m.db.transaction).not.toHaveBeenCalled();
    });

    it('answers 404 for an unknown post', async () => {
      const m = setup();
      m.posts.findLinks.mockResolvedValue(undefined);
      await expect(m.service.unrepost('8', '500')).rejects.toThrow(NotFoundException);
    });
  });

  describe('delete', () => {
    it('soft-deletes the post and its reposts, records a retraction for each in the transaction, and publishes the deletes after', async () => {
      const m = setup();
      m.posts.softDeleteReposts.mockResolvedValue([{ id: '600', author_id: '8' }]);
      await expect(m.service.delete('7', '500')).resolves.toBeUndefined();
      expect(m.posts.softDelete).toHaveBeenCalledWith(m.tx, '500');
      expect(m.posts.softDeleteReposts).toHaveBeenCalledWith(m.tx, '500');
      expect(m.users.addToPostsCount).toHaveBeenCalledWith('7', -1, m.tx);
      expect(m.users.addToPostsCount).toHaveBeenCalledWith('8', -1, m.tx);
      const gone = [
        { postId: '500', authorId: '7' },
        { postId: '600', authorId: '8' },
      ];
      expect(m.publisher.deleted).toHaveBeenCalledWith(gone, gone.map((data) => ({ spec: RetractPost, data })));
      expect(m.events).toEqual(['begin', 'record retract-post', 'record retract-post', 'commit', 'deleted']);
    });

    it('answers 403 to anyone but the author', async () => {
      const m = setup();
      await expect(m.service.delete('8', '500')).rejects.toThrow(ForbiddenException);
      expect(m.db.transaction).not.toHaveBeenCalled();
    });

    it('answers 404 for a deleted post, even to its author', async () => {
      const m = setup();
      m.posts.findLinks.mockResolvedValue(links({ deleted: true }));
      await expect(m.service.delete('7', '500')).rejects.toThrow(NotFoundException);
      expect(m.db.transaction).not.toHaveBeenCalled();
    });

    it('answers 404 for a deleted post to someone else, not 403', async () => {
      const m = setup();
      m.posts.findLinks.mockResolvedValue(links({ deleted: true }));
      await expect(m.service.delete('8', '500')).rejects.toThrow(NotFoundException);
    });

    it('answers 404 for an unknown post', async () => {
      const m = setup();
      m.posts.findLinks.mockResolvedValue(undefined);
      await expect(m.service.delete('7', '999')).rejects.toThrow(NotFoundException);
      expect(m.db.transaction).not.toHaveBeenCalled();
    });

    it('answers 404, and records nothing, when a concurrent delete won', async () => {
      const m = setup();
      m.posts.softDelete.mockResolvedValue(false);
      await expect(m.service.delete('7', '500')).rejects.toThrow(NotFoundException);
      expect(m.users.addToPostsCount).not.toHaveBeenCalled();
      expect(m.dispatcher.record).not.toHaveBeenCalled();
      expect(m.publisher.deleted).not.toHaveBeenCalled();
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

  describe('replies', () => {
    it('pages the replies of a live post oldest first, after the cursor', async () => {
      const m = setup();
      m.posts.listReplies.mockResolvedValue([row]);
      const page = await m.service.replies('400', { limit: 20 });
      expect(m.posts.listReplies).toHaveBeenCalledWith('400', undefined, 21);
      expect(page).toEqual({ items: [view], nextCursor: null });
    });

    it('answers 404 for a deleted post', async () => {
      const m = setup();
      m.posts.findLinks.mockResolvedValue(links({ deleted: true }));
      await expect(m.service.replies('400', { limit: 20 })).rejects.toThrow(NotFoundException);
    });
  });
});
