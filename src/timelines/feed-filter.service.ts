import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { GraphService } from '../graph/graph.service';
import { Relations } from '../graph/relations';
import { FeedPost, filterFromHome, postsFor, readersOf, repliedAccount, subjectsOf } from './feed-rules';

/**
 * The feed rules (feed-rules.ts) with their relations loaded: one load per call, so one per batch
 * of readers or page of posts, and none inside the loops.
 *
 * With FEED_RULES=off (a benchmark switch) every method answers "allow everything" before loading
 * anything, so `npm run load` measures the rules' whole cost against the same code without them.
 */
@Injectable()
export class FeedFilter {
  private readonly off: boolean;

  constructor(
    private readonly graph: GraphService,
    private readonly config: AppConfig,
  ) {
    this.off = config.feedRules === 'off';
  }

  /**
   * A fan-out batch: which of these readers the post may reach. A reply costs one more query for
   * the batch: which of the readers follow the account replied to (rule 1).
   */
  async readersOf(post: FeedPost, readerIds: string[]): Promise<string[]> {
    if (readerIds.length === 0 || this.off) return readerIds;
    const relations = await this.graph.relationsOf(subjectsOf(post));
    await this.loadFollowers(relations, post, readerIds);
    return readersOf(post, readerIds, relations);
  }

  /**
   * A page: which of these posts the reader may see, in order, reposts already shown below left
   * out (rule 2). Replies cost one more query for the page, which of the accounts they answer the
   * reader follows (rule 1), unless the reader's relations hold their whole following. With the
   * reader's relations when the page already loaded them (readerRelations), so a page of several
   * batches loads them once.
   */
  async postsFor<P extends FeedPost>(readerId: string, posts: P[], loaded?: Relations): Promise<P[]> {
    if (posts.length === 0 || this.off) return posts;
    const relations = loaded ?? (await this.readerRelations(readerId));
    await this.loadFollows(relations, readerId, posts);
    return postsFor(readerId, posts, relations, this.config.repostDedupWindow);
  }

  /** The reader's relations, to load once for a page of several batches of candidates. */
  readerRelations(readerId: string): Promise<Relations> {
    if (this.off) return Promise.resolve(Relations.of([]));
    return this.graph.relationsOf([readerId]);
  }

  /** For one post and many readers: which of them follow the account it replies to. */
  private async loadFollowers(relations: Relations, post: FeedPost, readerIds: string[]): Promise<void> {
    const asked = readerIds.flatMap((readerId): [string, string][] => {
      const account = repliedAccount(post, readerId);
      return account === undefined ? [] : [[readerId, account]];
    });
    if (asked.length === 0) return;
    const account = asked[0][1];
    const following = await this.graph.followersAmong(account, asked.map(([readerId]) => readerId));
    relations.withFollows(asked, following.map((readerId): [string, string] => [readerId, account]));
  }

  /**
   * For one reader and many posts: which of the accounts they reply to the reader follows. Nothing
   * to ask when the reader's following came with their relations (most readers).
   */
  private async loadFollows(relations: Relations, readerId: string, posts: FeedPost[]): Promise<void> {
    if (relations.knowsFollowsOf(readerId)) return;
    const accounts = [...new Set(posts.flatMap((post) => repliedAccount(post, readerId) ?? []))];
    if (accounts.length === 0) return;
    const followed = await this.graph.followeesAmong(readerId, accounts);
    relations.withFollows(
      accounts.map((account): [string, string] => [readerId, account]),
      followed.map((account): [string, string] => [readerId, account]),
    );
  }

  /**
   * The readers a post must not reach when it is sent to a whole room (a big account's online
   * followers) rather than to listed readers: only users named by a relation of its subjects can
   * be kept out, so they are the only ones asked about.
   */
  async keptOut(post: FeedPost): Promise<string[]> {
    if (this.off) return [];
    const subjects = subjectsOf(post);
    const relations = await this.graph.relationsOf(subjects);
    const candidates = new Set(relations.relatedTo(subjects));
    // Rule 2: the author of a reposted post, who may well follow the reposter.
    if (post.repostOf) candidates.add(post.repostOf.author.id);
    await this.loadFollowers(relations, post, [...candidates]);
    return [...candidates].filter((readerId) => filterFromHome(post, readerId, relations));
  }

  /**
   * Whether a post may go to a whole room of readers at all: a reply to another account reaches
   * only those who also follow that account (rule 1), which no list of exceptions can say, so it is
   * sent to listed readers instead.
   */
  fitsRoom(post: FeedPost): boolean {
    return this.off || repliedAccount(post, '') === undefined;
  }

  /** True when everything the account writes stays out of the reader's home (a block or a mute). */
  async hidesAccount(readerId: string, accountId: string): Promise<boolean> {
    if (this.off) return false;
    // A plain post of the account: rule 1 asks nothing, so no follows are loaded.
    return filterFromHome({ author: { id: accountId } }, readerId, await this.graph.relationsOf([readerId]));
  }
}
