/** The messages between the load script and its client processes (over the fork IPC channel). */

export interface ClientLogin {
  id: string;
  token: string;
}

/** What one process saw of one post: a delay per receipt, in ms, and how many users got it. */
export interface PostReceipts {
  /** receive time − post createdAt, one per receipt. */
  delays: number[];
  users: number;
  /** Receipts of a post a user had already received: a fan-out must never push twice. */
  duplicates: number;
}

export type ToClients =
  | { type: 'connect'; url: string; users: ClientLogin[] }
  | { type: 'collect' }
  | { type: 'close' };

export type FromClients =
  | { type: 'connected'; connected: number; errors: string[] }
  | { type: 'progress'; received: number }
  | { type: 'collected'; posts: Record<string, PostReceipts>; disconnects: number }
  | { type: 'closed' };
