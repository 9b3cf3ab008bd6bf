import { Injectable, Logger } from '@nestjs/common';
import type { MarkerView } from '../markers/marker.presenter';
import { PostView } from '../post-store/post.presenter';
import { LiveFeedEmitter } from './live-feed.emitter';
import { DeliveryLedger } from './delivery-ledger.repository';
import { PresenceRepository } from './presence.repository';

/**
 * Live delivery rules: only online users cost anything, a big account's post is one emit to its
 * room. Pushing is best effort on top of the timeline, which a client reads back with
 * `timeline:sync` after a reconnect, so a failed push is logged, never retried.
 */
@Injectable()
export class LiveFeedService {
  private readonly logger = new Logger('LiveFeed');

  constructor(
    private readonly presence: PresenceRepository,
    private readonly emitter: LiveFeedEmitter,
    private readonly ledger: DeliveryLedger,
  ) {}

  /** Pushes the post to those of these users who are online and were not pushed it before. */
  async deliver(userIds: string[], post: PostView): Promise<string[]> {
    return this.guard('deliver', async () => {
      const online = await this.presence.onlineAmong(userIds);
      const fresh = await this.ledger.claim(post.id, online);
      this.emitter.postToUsers(fresh, post);
      return fresh;
    }, []);
  }

  /** To the author's own sockets, at once. */
  toAuthor(post: PostView): void {
    this.emitter.postToUsers([post.author.id], post);
  }

  /** One emit to the author's room, except to the readers the feed rules keep it from. */
  toBigAccountFollowers(post: PostView, keptOut: string[] = []): void {
    this.emitter.postToBigAccountRoom(post.author.id, post, keptOut);
  }

  async retract(userIds: string[], postId: string): Promise<void> {
    await this.guard('retract', async () => {
      this.emitter.deleteForUsers(await this.presence.onlineAmong(userIds), postId);
    }, undefined);
  }

  retractFromBigAccountFollowers(authorId: string, postId: string): void {
    this.emitter.deleteForBigAccountRoom(authorId, postId);
  }

  /**
   * The read marker moved: every other open socket of the user follows it. The emit goes through
   * Redis to whichever node holds them; best effort like every push (a device that missed it reads
   * the marker when it reconnects).
   */
  markerMoved(userId: string, marker: MarkerView, fromSocketId?: string): void {
    this.emitter.markerToUser(userId, marker, fromSocketId);
  }

  /** The users online now, for a fan-out that serves them first. */
  onlineUsers(): Promise<string[]> {
    return this.guard('list online users', () => this.presence.onlineUsers(), []);
  }

  followBigAccount(userId: string, authorId: string, following: boolean): void {
    this.emitter.setBigAccountRoom(userId, authorId, following);
  }

  private async guard<T>(what: string, work: () => Promise<T>, fallback: T): Promise<T> {
    try {
      return await work();
    } catch (err) {
      this.logger.warn({ msg: `live ${what} failed; clients catch up with timeline:sync`, error: (err as Error).message });
      return fallback;
    }
  }
}
