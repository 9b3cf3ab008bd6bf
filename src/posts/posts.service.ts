import { BadRequestException, ConflictException, ForbiddenException, Injectable, Logger, NotFoundException } from '@nestjs/common';
import { decodeCursor } from '../common/cursor';
import { Page, toPage } from '../common/page';
import { staleAccountAs401 } from '../common/stale-account';
import { PageQueryDto } from '../common/page-query.dto';
import { AppConfig } from '../config/app-config';
import { Database } from '../database/database';
import { FanoutService } from '../fanout/fanout.service';
import { FanoutStatusRepository } from '../fanout/fanout-status.repository';
import { BLOCKED_MESSAGE, GraphService } from '../graph/graph.service';
import { FanoutPost, RetractPost } from '../jobs/job-catalogue';
import { JobDispatcher } from '../jobs/job-dispatcher';
import { PostView, toPostView } from '../post-store/post.presenter';
import { PostHydrator } from '../post-store/post-hydrator.service';
import { PostsRepository } from '../post-store/posts.repository';
import { LiveFeedService } from '../realtime/live-feed.service';
import { TimelineService } from '../timelines/timeline.service';
import { UsersRepository } from '../users/users.repository';
import { UsersService } from '../users/users.service';
import { CreatePostDto } from './dto/create-post.dto';
import { FanoutStatusView, toFanoutStatusView } from './fanout-status.presenter';

export const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

export interface CreatedPost {
  post: PostView;
  replayed: boolean;
}

@Injectable()
export class PostsService {
  private readonly logger = new Logger('Posts');

  constructor(
    private readonly db: Database,
    private readonly posts: PostsRepository,
    private readonly users: UsersRepository,
    private readonly userLookup: UsersService,
    private readonly status: FanoutStatusRepository,
    private readonly dispatcher: JobDispatcher,
    private readonly timelines: TimelineService,
    private readonly hydrator: PostHydrator,
    private readonly fanout: FanoutService,
    private readonly live: LiveFeedService,
    private readonly config: AppConfig,
    private readonly graph: GraphService,
  ) {}

  /**
   * Stores the post with its fan-out record in one transaction, puts it on the author's own
   * timeline, and leaves the followers to the background. PostgreSQL is the truth: when Redis is
   * away the post is still stored and the outbox relay catches up.
   */
  async create(authorId: string, dto: CreatePostDto, idempotencyKey?: string): Promise<CreatedPost> {
    if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
      throw new BadRequestException('Idempotency-Key must be 1 to 255 printable ASCII characters');
    }
    const outcome = await this.db.transaction(async (tx) => {
      const claim = await this.posts.claim(tx, authorId, idempotencyKey);
      if (claim.kind === 'replay') return { replayOf: claim.postId } as const;
      const row = await this.posts.insert(tx, claim.postId, authorId, dto.text);
      await this.users.addToPostsCount(authorId, 1, tx);
      await this.status.createPending(tx, row.id);
      const job = await this.dispatcher.record(tx, FanoutPost, { postId: row.id, authorId });
      return { row, job } as const;
    }).catch((err) => {
      throw staleAccountAs401(err);
    });

    if ('replayOf' in outcome) {
      const original = await this.posts.findLive(outcome.replayOf!);
      if (!original) throw new ConflictException('this Idempotency-Key created a post that has since been deleted');
      return { post: toPostView(original), replayed: true };
    }

    const post = toPostView(outcome.row);
    await this.bestEffort('publish to author timeline', () => this.timelines.publish(authorId, post.id));
    await this.bestEffort('cache post', () => this.hydrator.remember(post));
    this.live.toAuthor(post);
    if (this.config.fanoutMode === 'inline') {
      await this.fanout.fanoutInline({ postId: post.id, authorId });
    } else {
      await this.dispatcher.send(outcome.job);
    }
    return { post, replayed: false };
  }

  async get(id: string): Promise<PostView> {
    const [post] = await this.hydrator.hydrate([id]);
    if (!post) throw new NotFoundException('post not found');
    return post;
  }

  async delete(userId: string, id: string): Promise<void> {
    await this.requireOwn(userId, id);
    const job = await this.db.transaction(async (tx) => {
      if (!(await this.posts.softDelete(tx, id))) return undefined;
      await this.users.addToPostsCount(userId, -1, tx);
      return this.dispatcher.record(tx, RetractPost, { postId: id, authorId: userId });
    });
    if (!job) throw new NotFoundException('post not found');
    await this.bestEffort('forget post', () => this.hydrator.forget(id));
    await this.bestEffort('retract from author timeline', () => this.timelines.retract(userId, id));
    await this.dispatcher.send(job);
  }

  async fanoutStatus(userId: string, id: string): Promise<FanoutStatusView> {
    await this.requireOwn(userId, id);
    const row = await this.status.find(id);
    if (!row) throw new NotFoundException('post not found');
    return toFanoutStatusView(row);
  }

  /** An author's posts; refused (403) to a reader the author blocks (rule 4). */
  async listByAuthor(readerId: string, username: string, page: PageQueryDto): Promise<Page<PostView>> {
    const author = await this.userLookup.require(username);
    if (author.id !== readerId && (await this.graph.isBlocking(author.id, readerId))) {
      throw new ForbiddenException(BLOCKED_MESSAGE);
    }
    const rows = await this.posts.listByAuthor(author.id, decodeCursor(page.cursor), page.limit + 1);
    return toPage(rows, page.limit, (r) => r.id, toPostView);
  }

  private async requireOwn(userId: string, id: string): Promise<void> {
    const post = await this.posts.findAuthor(id);
    if (!post || post.deleted) throw new NotFoundException('post not found');
    if (post.author_id !== userId) throw new ForbiddenException('only the author may do this');
  }

  /** Redis-side effects that the fan-out job or a rebuild repeats if they fail here. */
  private async bestEffort(what: string, effect: () => Promise<unknown>): Promise<void> {
    try {
      await effect();
    } catch (err) {
      this.logger.warn({ msg: `${what} failed; background work will repair it`, error: (err as Error).message });
    }
  }
}
