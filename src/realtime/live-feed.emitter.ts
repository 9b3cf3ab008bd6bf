import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Emitter } from '@socket.io/redis-emitter';
import { LiveFeedMetrics } from '../metrics/live-feed.metrics';
import { quitQuietly, RedisClient } from '../redis/redis-client';
import { RedisFactory } from '../redis/redis-factory';
import { RedisKeys } from '../redis/redis-keys';
import type { MarkerView } from '../markers/marker.presenter';
import { PostView } from '../post-store/post.presenter';
import { bigAccountRoom, FEED_NAMESPACE, LiveEvent, LiveEvents, userRoom } from './live-feed.events';

/**
 * Sends live-feed events through Redis to whichever API node holds the sockets. Workers have no
 * sockets of their own; API nodes use the same path, so an event reaches every node alike.
 */
@Injectable()
export class LiveFeedEmitter implements OnApplicationShutdown {
  private readonly logger = new Logger('LiveFeedEmitter');
  private readonly redis: RedisClient;
  private readonly emitter: Emitter<LiveEvents>;
  private lastFailureLog = 0;

  constructor(
    factory: RedisFactory,
    keys: RedisKeys,
    private readonly metrics: LiveFeedMetrics,
  ) {
    this.redis = factory.create('feed-emitter');
    this.redis.on('error', () => undefined);
    // The emitter fires and forgets its publishes; a failed one (Redis away) must not become an
    // unhandled rejection, so it goes through a publisher that catches and logs.
    const publisher = {
      publish: (channel: string, message: string | Buffer) =>
        this.redis.publish(channel, message).catch((err: Error) => this.noteFailure(err)),
    };
    this.emitter = new Emitter<LiveEvents>(publisher, { key: keys.socketChannel() }).of(FEED_NAMESPACE);
  }

  private noteFailure(err: Error): void {
    if (Date.now() - this.lastFailureLog < 10_000) return;
    this.lastFailureLog = Date.now();
    this.logger.warn({ msg: 'live push failed; clients catch up with timeline:sync', error: err.message });
  }

  /** One publish for all these users' rooms. */
  postToUsers(userIds: string[], post: PostView): void {
    if (userIds.length === 0) return;
    this.emitter.to(userIds.map(userRoom)).emit(LiveEvent.Post, post);
    this.metrics.observePush(userIds.length === 1 && userIds[0] === post.author.id ? 'author' : 'followers', post.createdAt);
  }

  postToBigAccountRoom(authorId: string, post: PostView, exceptUserIds: string[] = []): void {
    const room = this.emitter.to(bigAccountRoom(authorId));
    (exceptUserIds.length > 0 ? room.except(exceptUserIds.map(userRoom)) : room).emit(LiveEvent.Post, post);
    this.metrics.observePush('big_account', post.createdAt);
  }

  deleteForUsers(userIds: string[], postId: string): void {
    if (userIds.length === 0) return;
    this.emitter.to(userIds.map(userRoom)).emit(LiveEvent.Delete, { id: postId });
  }

  deleteForBigAccountRoom(authorId: string, postId: string): void {
    this.emitter.to(bigAccountRoom(authorId)).emit(LiveEvent.Delete, { id: postId });
  }

  /** To every socket of the user, on every node, but one (a socket's id is a room of its own). */
  markerToUser(userId: string, marker: MarkerView, exceptSocketId?: string): void {
    const sockets = this.emitter.to(userRoom(userId));
    (exceptSocketId ? sockets.except(exceptSocketId) : sockets).emit(LiveEvent.Marker, marker);
  }

  /** Moves a user's sockets, on every node, into or out of a big account's room. */
  setBigAccountRoom(userId: string, authorId: string, member: boolean): void {
    const sockets = this.emitter.in(userRoom(userId));
    if (member) sockets.socketsJoin(bigAccountRoom(authorId));
    else sockets.socketsLeave(bigAccountRoom(authorId));
  }

  async onApplicationShutdown(): Promise<void> {
    await quitQuietly(this.redis);
  }
}
