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
export function postsFor<P extends FeedPost>(readerId: string, posts: P[], relations: Relations): P[] {
  return posts.filter((post) => !filterFromHome(post, readerId, relations));
}
