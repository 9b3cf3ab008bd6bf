import { Injectable, Logger } from '@nestjs/common';
import { isId } from '../common/ids';
import { PostView } from '../post-store/post.presenter';
import { HomeTimelineService } from '../timelines/home-timeline.service';
import { TimelineService } from '../timelines/timeline.service';
import { bigAccountRoom, userRoom } from './live-feed.events';
import { PresenceRepository } from './presence.repository';

/** Presence outlives a node by at most this long; heartbeats renew it well before. */
const PRESENCE_TTL_MS = 45_000;
const HEARTBEAT_MS = 15_000;
/** A socket may ask for a catch-up this often; more is a flood and is refused. */
const SYNC_BURST = 5;
const SYNC_WINDOW_MS = 10_000;

export type SyncAck = { items: PostView[]; hasMore: boolean } | { error: string };

/** What a live-feed connection does, apart from the socket itself: presence, rooms, catch-up. */
@Injectable()
export class LiveSession {
  private readonly logger = new Logger('LiveSession');
  /** Open sockets per user on this node. */
  private readonly local = new Map<string, number>();
  private readonly syncCalls = new Map<string, number[]>();
  private heartbeat?: NodeJS.Timeout;

  constructor(
    private readonly presence: PresenceRepository,
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

  forgetSocket(socketId: string): void {
    this.syncCalls.delete(socketId);
  }

  async sync(socketId: string, userId: string, body: unknown): Promise<SyncAck> {
    if (this.flooding(socketId)) return { error: 'too many timeline:sync calls; wait a few seconds' };
    const since = (body as { since?: unknown } | null)?.since;
    if (!isId(since)) return { error: 'timeline:sync needs { since: <post id as a decimal string> }' };
    try {
      return await this.home.since(userId, since);
    } catch (err) {
      this.logger.warn({ msg: 'timeline:sync failed', error: (err as Error).message });
      return { error: 'timeline is unavailable right now; retry shortly' };
    }
  }

  private flooding(socketId: string): boolean {
    const now = Date.now();
    const recent = (this.syncCalls.get(socketId) ?? []).filter((t) => now - t < SYNC_WINDOW_MS);
    recent.push(now);
    this.syncCalls.set(socketId, recent);
    return recent.length > SYNC_BURST;
  }

  private async refreshPresence(): Promise<void> {
    try {
      await this.presence.refresh([...this.local.keys()], PRESENCE_TTL_MS);
    } catch (err) {
      this.logger.warn({ msg: 'presence heartbeat failed', error: (err as Error).message });
    }
  }
}
