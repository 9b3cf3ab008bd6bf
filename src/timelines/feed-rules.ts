import { Relations } from '../graph/relations';

/**
 * The home timeline's rules (API.md, "Added in version 2", rules 1 to 6) in one place, as
 * Mastodon keeps them in FeedManager#filter_from_home: one yes/no predicate per rule, each
 * returning early, all fed by relations loaded once per batch, so no rule runs a query. Every path
 * that can put a post in front of a reader asks here: the fan-out (per batch of followers), the
 * home read (per page, whatever it came from: the Redis window, a big account's merged list, a
 * rebuilt timeline or a deep page from PostgreSQL), the follow backfill, the live push and
 * `timeline:sync` (which is a home read).
 *
 * The relations to load: for one post and many readers (fan-out), those of `subjectsOf(post)`; for
 * one reader and many posts (a read), those of the reader. Relations answer from either side.
 */

/** What the rules read of a post: its author, and what it reposts or replies to when it does. */
export interface FeedPost {
  author: { id: string };
  repostOf?: { author: { id: string } } | null;
  replyTo?: { author: { id: string } } | null;
}

/** The accounts whose relations decide whether a post reaches its readers. */
export function subjectsOf(post: FeedPost): string[] {
  return post.repostOf ? [post.author.id, post.repostOf.author.id] : [post.author.id];
}

/**
 * Rule 1: the account a reply answers, when the reader must follow it to see the reply: not for
 * the reader's own replies, replies to the reader, or an author answering themselves (a thread
 * reaches everyone who follows its author). Undefined when rule 1 asks nothing. The batch loader
 * asks PostgreSQL about exactly these pairs (see FeedFilter).
 */
export function repliedAccount(post: FeedPost, readerId: string): string | undefined {
  const account = post.replyTo?.author.id;
  if (account === undefined || post.author.id === readerId || account === readerId || account === post.author.id) return undefined;
  return account;
}

/** Rule 1: a reply to an account the reader does not follow. */
export function replyToStranger(post: FeedPost, readerId: string, relations: Relations): boolean {
  const account = repliedAccount(post, readerId);
  return account !== undefined && !relations.follows(readerId, account);
}

/** Rule 2: a repost of the reader's own post, by someone else. */
export function ownPostReposted(post: FeedPost, readerId: string): boolean {
  return !!post.repostOf && post.repostOf.author.id === readerId && post.author.id !== readerId;
}

/** Rule 4: a block, either way, between the reader and the author (or the reposted author). */
export function blockedAuthor(post: FeedPost, readerId: string, relations: Relations): boolean {
  return subjectsOf(post).some((accountId) => accountId !== readerId && relations.blockedEitherWay(readerId, accountId));
}

/** Rule 5: the reader mutes the author, or the author of the post reposted. */
export function mutedAuthor(post: FeedPost, readerId: string, relations: Relations): boolean {
  return subjectsOf(post).some((accountId) => accountId !== readerId && relations.mutes(readerId, accountId));
}

/** Rule 2, per follow: the reader follows the reposter with `reposts: false`. */
export function hiddenRepost(post: FeedPost, readerId: string, relations: Relations): boolean {
  return !!post.repostOf && post.author.id !== readerId && relations.hidesRepostsOf(readerId, post.author.id);
}

/** The predicates, in the order they are asked. Each says true to keep the post out. */
export const HOME_RULES: readonly ((post: FeedPost, readerId: string, relations: Relations) => boolean)[] = [
  blockedAuthor,
  mutedAuthor,
  replyToStranger,
  ownPostReposted,
  hiddenRepost,
];

/** True when the post stays out of the reader's home timeline and live feed. */
export function filterFromHome(post: FeedPost, readerId: string, relations: Relations): boolean {
  for (const rule of HOME_RULES) if (rule(post, readerId, relations)) return true;
  return false;
}

/** One post, many readers (a fan-out batch): the readers it may reach. */
export function readersOf(post: FeedPost, readerIds: string[], relations: Relations): string[] {
  return readerIds.filter((readerId) => !filterFromHome(post, readerId, relations));
}

/** One reader, many posts (a page): the posts the reader may see, in order. */
export function postsFor<P extends FeedPost>(readerId: string, posts: P[], relations: Relations, dedupWindow = 0): P[] {
  return withoutDuplicateReposts(
    posts.filter((post) => !filterFromHome(post, readerId, relations)),
    dedupWindow,
  );
}

/** What rule 2's dedup reads of a post: its id, and the original's when it is a repost. */
export interface DedupPost extends FeedPost {
  id: string;
  repostOf?: { id: string; author: { id: string } } | null;
}

/**
 * Rule 2's dedup where fan-out did not apply it (a big account's repost merged at read, a follow's
 * backfill, a rebuild, a deep page): a repost leaves a page, newest first, when the original or
 * another repost of it comes among the `window` posts below it, so the entry that was there first
 * stays where it is. Fan-out applies the same rule against the timeline itself (TimelineService.pushRepost).
 */
export function withoutDuplicateReposts<P extends FeedPost>(posts: P[], window: number): P[] {
  if (window <= 0) return posts;
  const originalOf = (post: P) => (post as unknown as DedupPost).repostOf?.id ?? (post as unknown as DedupPost).id;
  return posts.filter((post, i) => {
    const original = post.repostOf ? originalOf(post) : undefined;
    if (original === undefined) return true;
    return !posts.slice(i + 1, i + 1 + window).some((older) => originalOf(older) === original);
  });
}
