import { BadRequestException, ConflictException, ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import { decodeCursor } from '../common/cursor';
import { Page, toPage } from '../common/page';
import { staleAccountAs401 } from '../common/stale-account';
import { PageQueryDto } from '../common/page-query.dto';
import { Database, Tx } from '../database/database';
import { FanoutStatusRepository } from '../fanout/fanout-status.repository';
import { PostPublisher } from '../fanout/post-publisher.service';
import { BLOCKED_MESSAGE, GraphService } from '../graph/graph.service';
import { FanoutPost, PostJobData, RetractPost } from '../jobs/job-catalogue';
import { JobDispatcher, PendingJob } from '../jobs/job-dispatcher';
import { PostRow, PostView, toPostView } from '../post-store/post.presenter';
import { PostHydrator } from '../post-store/post-hydrator.service';
import { PostsRepository } from '../post-store/posts.repository';
import { UsersRepository } from '../users/users.repository';
import { UsersService } from '../users/users.service';
import { CreatePostDto } from './dto/create-post.dto';
import { FanoutStatusView, toFanoutStatusView } from './fanout-status.presenter';

export const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

export interface CreatedPost {
  post: PostView;
  replayed: boolean;
}

export interface Repost {
  post: PostView;
  /** False when the caller had already reposted it: the answer is that repost. */
  created: boolean;
}

const POST_NOT_FOUND = 'post not found';

/**
 * Posting: stores posts, replies and reposts with their fan-out record and outbox job in one
 * transaction, and deletes them. What follows once they are stored (the author's timeline, the
 * followers', the screens) is the PostPublisher's.
 */
@Injectable()
export class PostsService {
  constructor(
    private readonly db: Database,
    private readonly posts: PostsRepository,
    private readonly users: UsersRepository,
    private readonly userLookup: UsersService,
    private readonly status: FanoutStatusRepository,
    private readonly dispatcher: JobDispatcher,
    private readonly hydrator: PostHydrator,
    private readonly publisher: PostPublisher,
    private readonly graph: GraphService,
  ) {}

  /**
   * Stores the post with its fan-out record in one transaction, then publishes it. PostgreSQL is
   * the truth: when Redis is away the post is still stored and the outbox relay catches up.
   */
  async create(authorId: string, dto: CreatePostDto, idempotencyKey?: string): Promise<CreatedPost> {
    if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
      throw new BadRequestException('Idempotency-Key must be 1 to 255 printable ASCII characters');
    }
    const outcome = await this.db.transaction(async (tx) => {
      const claim = await this.posts.claim(tx, authorId, idempotencyKey);
      if (claim.kind === 'replay') return { replayOf: claim.postId } as const;
      const row = await this.posts.insert(tx, claim.postId, authorId, dto.text, dto.replyToId);
      // Thrown inside the transaction, so the claimed Idempotency-Key is rolled back with it.
      if (!row) throw new NotFoundException('the post replied to does not exist or was deleted');
      return this.stored(tx, row);
    }).catch((err) => {
      throw staleAccountAs401(err);
    });
    if ('replayOf' in outcome) {
      const original = await this.posts.findLive(outcome.replayOf!);
      if (!original) throw new ConflictException('this Idempotency-Key created a post that has since been deleted');
      return { post: toPostView(original), replayed: true };
    }
    await this.publisher.published(outcome.post, outcome.job);
    return { post: outcome.post, replayed: false };
  }

  /** Reposts a post (the original, when it is itself a repost), once per user. */
  async repost(userId: string, id: string): Promise<Repost> {
    const originalId = await this.originalOf(id);
    const outcome = await this.db.transaction(async (tx) => {
      const result = await this.posts.repost(tx, userId, originalId);
      if (!result) throw new NotFoundException(POST_NOT_FOUND);
      if (!result.created) return { post: toPostView(result.row) };
      return this.stored(tx, result.row);
    }).catch((err) => {
      throw staleAccountAs401(err);
    });
    if (!('job' in outcome)) return { post: outcome.post, created: false };
    await this.publisher.published(outcome.post, outcome.job);
    return { post: outcome.post, created: true };
  }

  /** Deletes the caller's repost of a post, if there is one. */
  async unrepost(userId: string, id: string): Promise<void> {
    const originalId = await this.originalOf(id, { deletedToo: true });
    const repostId = await this.posts.findRepostId(userId, originalId);
    if (repostId !== undefined) await this.remove(userId, repostId);
  }

  async get(id: string): Promise<PostView> {
    const [post] = await this.hydrator.hydrate([id]);
    if (!post) throw new NotFoundException(POST_NOT_FOUND);
    return post;
  }

  /** Deletes the caller's post; its reposts go with it (a reply stays, still naming it). */
  async delete(userId: string, id: string): Promise<void> {
    await this.requireOwn(userId, id);
    if (!(await this.remove(userId, id))) throw new NotFoundException(POST_NOT_FOUND);
  }

  async fanoutStatus(userId: string, id: string): Promise<FanoutStatusView> {
    await this.requireOwn(userId, id);
    const row = await this.status.find(id);
    // The post is the caller's and live (requireOwn): its record was pruned by the retention job.
    if (!row) throw new NotFoundException('the fan-out record of this post is no longer kept (RETENTION_DAYS)');
    return toFanoutStatusView(row);
  }

  /** An author's posts; refused (403) to a reader the author blocks (rule 4). */
  async listByAuthor(readerId: string, username: string, page: PageQueryDto): Promise<Page<PostView>> {
    const author = await this.userLookup.require(username);
    if (author.id !== readerId && (await this.graph.isBlocking(author.id, readerId))) throw new ForbiddenException(BLOCKED_MESSAGE);
    const rows = await this.posts.listByAuthor(author.id, decodeCursor(page.cursor), page.limit + 1);
    return toPage(rows, page.limit, (r) => r.id, toPostView);
  }

  /** The live replies to a live post, oldest first. */
  async replies(id: string, page: PageQueryDto): Promise<Page<PostView>> {
    const after = decodeCursor(page.cursor);
    const post = await this.posts.findLinks(id);
    if (!post || post.deleted) throw new NotFoundException(POST_NOT_FOUND);
    const rows = await this.posts.listReplies(id, after, page.limit + 1);
    return toPage(rows, page.limit, (r) => r.id, toPostView);
  }

  /** The fan-out record and the outbox job of a post just inserted, in its transaction. */
  private async stored(tx: Tx, row: PostRow): Promise<{ post: PostView; job: PendingJob }> {
    await this.users.addToPostsCount(row.author_id, 1, tx);
    await this.status.createPending(tx, row.id);
    const job = await this.dispatcher.record(tx, FanoutPost, { postId: row.id, authorId: row.author_id });
    return { post: toPostView(row), job };
  }

  /**
   * Soft-deletes a post with its reposts in one transaction, each with its retraction job; then
   * publishes the deletes. False when a concurrent delete got there first.
   */
  private async remove(userId: string, id: string): Promise<boolean> {
    const outcome = await this.db.transaction(async (tx) => {
      if (!(await this.posts.softDelete(tx, id))) return undefined;
      const gone: PostJobData[] = [{ postId: id, authorId: userId }];
      for (const repost of await this.posts.softDeleteReposts(tx, id)) gone.push({ postId: repost.id, authorId: repost.author_id });
      const jobs: PendingJob[] = [];
      for (const post of gone) {
        await this.users.addToPostsCount(post.authorId, -1, tx);
        jobs.push(await this.dispatcher.record(tx, RetractPost, post));
      }
      return { gone, jobs };
    });
    if (!outcome) return false;
    await this.publisher.deleted(outcome.gone, outcome.jobs);
    return true;
  }

  /** The original a repost of `id` reposts: the post itself, or the original of a repost. 404 when unknown. */
  private async originalOf(id: string, options: { deletedToo?: boolean } = {}): Promise<string> {
    const post = await this.posts.findLinks(id);
    if (!post || (post.deleted && !options.deletedToo)) throw new NotFoundException(POST_NOT_FOUND);
    return post.repost_of_id ?? id;
  }

  private async requireOwn(userId: string, id: string): Promise<void> {
    const post = await this.posts.findLinks(id);
    if (!post || post.deleted) throw new NotFoundException(POST_NOT_FOUND);
    if (post.author_id !== userId) throw new ForbiddenException('only the author may do this');
  }
}
