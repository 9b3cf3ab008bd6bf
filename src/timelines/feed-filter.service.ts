import { Injectable } from '@nestjs/common';
import { GraphService } from '../graph/graph.service';
import { Relations } from '../graph/relations';
import { FeedPost, filterFromHome, postsFor, readersOf, subjectsOf } from './feed-rules';

/**
 * The feed rules (feed-rules.ts) with their relations loaded: one load per call, so one per batch
 * of readers or page of posts, and none inside the loops.
 */
@Injectable()
export class FeedFilter {
  constructor(private readonly graph: GraphService) {}

  /** A fan-out batch: which of these readers the post may reach. */
  async readersOf(post: FeedPost, readerIds: string[]): Promise<string[]> {
    if (readerIds.length === 0) return [];
    return readersOf(post, readerIds, await this.graph.relationsOf(subjectsOf(post)));
  }

  /** A page: which of these posts the reader may see, in order; with the reader's relations when already loaded. */
  async postsFor<P extends FeedPost>(readerId: string, posts: P[], relations?: Relations): Promise<P[]> {
    if (posts.length === 0) return [];
    return postsFor(readerId, posts, relations ?? (await this.readerRelations(readerId)));
  }

  /** The reader's relations, to load once for a page of several batches of candidates. */
  readerRelations(readerId: string): Promise<Relations> {
    return this.graph.relationsOf([readerId]);
  }

  /**
   * The readers a post must not reach when it is sent to a whole room (a big account's online
   * followers) rather than to listed readers: only users named by a relation of its subjects can
   * be kept out, so they are the only ones asked about.
   */
  async keptOut(post: FeedPost): Promise<string[]> {
    const subjects = subjectsOf(post);
    const relations = await this.graph.relationsOf(subjects);
    return relations.relatedTo(subjects).filter((readerId) => filterFromHome(post, readerId, relations));
  }

  /** True when everything the account writes stays out of the reader's home (a block or a mute). */
  async hidesAccount(readerId: string, accountId: string): Promise<boolean> {
    return filterFromHome({ author: { id: accountId } }, readerId, await this.graph.relationsOf([readerId]));
  }
}
