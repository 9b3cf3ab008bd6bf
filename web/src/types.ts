/** The API's shapes (API.md), as the page uses them. */

export interface Author {
  id: string;
  username: string;
  displayName: string;
}

export interface User extends Author {
  createdAt: string;
  followersCount: number;
  followingCount: number;
  postsCount: number;
}

export interface Post {
  id: string;
  text: string;
  createdAt: string;
  author: Author;
  /** Version 2 of the API: always present there, absent before. */
  replyTo?: { id: string; author: Author } | null;
  repostOf?: Post | null;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface Session {
  user: User;
  accessToken: string;
}

export type FanoutState = 'pending' | 'running' | 'done' | 'skipped';

export interface FanoutStatus {
  postId: string;
  state: FanoutState;
  followers: number;
  delivered: number;
  startedAt: string | null;
  finishedAt: string | null;
  delayMs: number | null;
}

/** Ids are 64-bit integers as decimal strings: compared by length, then digit by digit. */
export function compareIds(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The post a reader means when they act on a repost: the original. */
export function original(post: Post): Post {
  return post.repostOf ?? post;
}
