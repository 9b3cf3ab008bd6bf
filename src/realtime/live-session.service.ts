import { Injectable, Logger } from '@nestjs/common';
import { isId } from '../common/ids';
import { AppConfig } from '../config/app-config';
import { PostView } from '../post-store/post.presenter';
import { RateLimits } from '../rate-limit/rate-limits.service';
import { HomeTimelineService } from '../timelines/home-timeline.service';
import { TimelineService } from '../timelines/timeline.service';
import { bigAccountRoom, userRoom } from './live-feed.events';
import { PresenceRepository } from './presence.repository';
import { SocketSlots } from './socket-slots.repository';

/** Presence outlives a node by at most this long; heartbeats renew it well before. */
const PRESENCE_TTL_MS = 45_000;
const HEARTBEAT_MS = 15_000;

export type SyncAck = { items: PostView[]; hasMore: boolean } | { error: string; retryAfter?: number };

/** What a live-feed connection does, apart from the socket itself: presence, rooms, catch-up. */
@Injectable()
export class LiveSession {
  private readonly logger = new Logger('LiveSession');
  /** Open sockets per user on this node. */
  private readonly local = new Map<string, number>();
  /** The user of each socket on this node that holds a slot (LIVE_MAX_SOCKETS), to renew it. */
  private readonly slots = new Map<string, string>();
  private heartbeat?: NodeJS.Timeout;

  constructor(
    private readonly config: AppConfig,
    private readonly presence: PresenceRepository,
    private readonly socketSlots: SocketSlots,
    private readonly limits: RateLimits,
    private readonly timelines: TimelineService,
    private readonly home: HomeTimelineService,
  ) {}

  start(): void {
    this.heartbeat = setInterval(() => void this.refreshPresence(), HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  stop(): void {
    clearInterval(this.heartbeat);
  }

  /**
   * Takes one of the user's LIVE_MAX_SOCKETS slots, shared by every node; false when all are held.
   * With Redis away the socket is let in (it gets its own room only, as open() says): a cap that
   * cannot be counted is not a reason to cut everyone off.
   */
  async admit(userId: string, socketId: string): Promise<boolean> {
    try {
      if (!(await this.socketSlots.take(userId, socketId, this.config.liveMaxSockets, PRESENCE_TTL_MS))) {
        this.limits.socketRefused();
        return false;
      }
    } catch (err) {
      this.logger.warn({ msg: 'socket slots unavailable; the socket is let in uncounted', error: (err as Error).message });
      return true;
    }
    this.slots.set(socketId, userId);
    return true;
  }

  /** Frees the socket's slot (if it held one). */
  release(socketId: string): void {
    const userId = this.slots.get(socketId);
    if (userId === undefined) return;
    this.slots.delete(socketId);
    this.socketSlots.release(userId, socketId).catch((err: Error) => {
      this.logger.warn({ msg: 'socket slot not freed; it runs out by itself', error: err.message });
    });
  }

  /** Marks the user online; returns the rooms their socket joins. */
  async open(userId: string): Promise<string[]> {
    this.local.set(userId, (this.local.get(userId) ?? 0) + 1);
    const rooms = [userRoom(userId)];
    try {
      await this.presence.refresh([userId], PRESENCE_TTL_MS);
      for (const authorId of await this.timelines.bigFolloweesOf(userId)) rooms.push(bigAccountRoom(authorId));
    } catch (err) {
      this.logger.warn({ msg: 'presence or rooms unavailable; the socket gets its own room only', error: (err as Error).message });
    }
    return rooms;
  }

  close(userId: string): void {
    const left = (this.local.get(userId) ?? 1) - 1;
    if (left > 0) this.local.set(userId, left);
    else this.local.delete(userId);
    // Presence is not removed: the user may still be connected to another node. It runs out.
  }

  /** A catch-up is a read of the home timeline: it spends the user's RATE_LIMIT_READ, on every node. */
  async sync(userId: string, body: unknown): Promise<SyncAck> {
    const limit = await this.limits.consume('read', [`u:${userId}`]);
    if (limit && !limit.allowed) return { error: `too many requests; retry in ${limit.resetSec} s`, retryAfter: limit.resetSec };
    const since = (body as { since?: unknown } | null)?.since;
    if (!isId(since)) return { error: 'timeline:sync needs { since: <post id as a decimal string> }' };
    try {
      return await this.home.since(userId, since);
    } catch (err) {
      this.logger.warn({ msg: 'timeline:sync failed', error: (err as Error).message });
      return { error: 'timeline is unavailable right now; retry shortly' };
    }
  }

  private async refreshPresence(): Promise<void> {
    try {
      const sockets = [...this.slots].map(([socketId, userId]) => ({ socketId, userId }));
      await Promise.all([this.presence.refresh([...this.local.keys()], PRESENCE_TTL_MS), this.socketSlots.renew(sockets, PRESENCE_TTL_MS)]);
    } catch (err) {
      this.logger.warn({ msg: 'presence heartbeat failed', error: (err as Error).message });
    }
  }
}
