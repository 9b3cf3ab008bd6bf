import { Logger } from '@nestjs/common';
import { PostView } from '../post-store/post.presenter';
import { DeliveryLedger } from './delivery-ledger.repository';
import { LiveFeedEmitter } from './live-feed.emitter';
import { LiveFeedService } from './live-feed.service';
import { PresenceRepository } from './presence.repository';

const post: PostView = { id: '500', text: 'hi', createdAt: '2026-01-01T00:00:00.000Z', author: { id: '7', username: 'a', displayName: 'A' }, replyTo: null, repostOf: null };

function setup() {
  const presence = { onlineAmong: jest.fn(), onlineUsers: jest.fn() };
  const emitter = {
    postToUsers: jest.fn(),
    postToBigAccountRoom: jest.fn(),
    deleteForUsers: jest.fn(),
    deleteForBigAccountRoom: jest.fn(),
    setBigAccountRoom: jest.fn(),
    markerToUser: jest.fn(),
  };
  const ledger = { claim: jest.fn() };
  const service = new LiveFeedService(presence as unknown as PresenceRepository, emitter as unknown as LiveFeedEmitter, ledger as unknown as DeliveryLedger);
  return { service, presence, emitter, ledger };
}

beforeAll(() => Logger.overrideLogger(false));

describe('LiveFeedService', () => {
  it('pushes only to online users not pushed this post before, in one emit', async () => {
    const { service, presence, emitter, ledger } = setup();
    presence.onlineAmong.mockResolvedValue(['1', '2']);
    ledger.claim.mockResolvedValue(['2']);
    await expect(service.deliver(['1', '2', '3'], post)).resolves.toEqual(['2']);
    expect(presence.onlineAmong).toHaveBeenCalledWith(['1', '2', '3']);
    expect(ledger.claim).toHaveBeenCalledWith('500', ['1', '2']);
    expect(emitter.postToUsers).toHaveBeenCalledWith(['2'], post);
  });

  it('treats a failed push as best effort: logs, pushes nothing, never throws', async () => {
    const { service, presence, emitter } = setup();
    presence.onlineAmong.mockRejectedValue(new Error('Redis down'));
    await expect(service.deliver(['1'], post)).resolves.toEqual([]);
    expect(emitter.postToUsers).not.toHaveBeenCalled();
  });

  it('retracts a post from the screens of online users only', async () => {
    const { service, presence, emitter } = setup();
    presence.onlineAmong.mockResolvedValue(['3']);
    await service.retract(['1', '3'], '500');
    expect(emitter.deleteForUsers).toHaveBeenCalledWith(['3'], '500');
  });

  it('sends a big account post as one room emit', () => {
    const { service, emitter } = setup();
    service.toBigAccountFollowers(post);
    expect(emitter.postToBigAccountRoom).toHaveBeenCalledWith('7', post, []);
    service.toBigAccountFollowers(post, ['8', '9']);
    expect(emitter.postToBigAccountRoom).toHaveBeenLastCalledWith('7', post, ['8', '9']);
  });

  it('pushes the author their own post', () => {
    const { service, emitter } = setup();
    service.toAuthor(post);
    expect(emitter.postToUsers).toHaveBeenCalledWith(['7'], post);
  });

  it('pushes a moved marker to the user’s sockets but the one that moved it', () => {
    const { service, emitter } = setup();
    const marker = { lastReadId: '500', updatedAt: '2026-03-01T10:00:00.000Z' };
    service.markerMoved('7', marker, 'sock-A');
    expect(emitter.markerToUser).toHaveBeenCalledWith('7', marker, 'sock-A');
  });

  it('lists no online users when presence is unavailable', async () => {
    const { service, presence } = setup();
    presence.onlineUsers.mockRejectedValue(new Error('Redis down'));
    await expect(service.onlineUsers()).resolves.toEqual([]);
  });
});
