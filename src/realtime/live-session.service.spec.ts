import { Logger } from '@nestjs/common';
import { HomeTimelineService } from '../timelines/home-timeline.service';
import { TimelineService } from '../timelines/timeline.service';
import { LiveSession } from './live-session.service';
import { AppConfig } from '../config/app-config';
import { RateLimits } from '../rate-limit/rate-limits.service';
import { PresenceRepository } from './presence.repository';
import { SocketSlots } from './socket-slots.repository';

const ALLOWED = { allowed: true, limit: 100, remaining: 99, resetSec: 60 };

function setup() {
  const config = { liveMaxSockets: 3 } as AppConfig;
  const presence = { refresh: jest.fn().mockResolvedValue(undefined) };
  const slots = { take: jest.fn().mockResolvedValue(true), release: jest.fn().mockResolvedValue(undefined), renew: jest.fn() };
  const limits = { consume: jest.fn().mockResolvedValue(ALLOWED), socketRefused: jest.fn() };
  const timelines = { bigFolloweesOf: jest.fn().mockResolvedValue([]) };
  const home = { since: jest.fn().mockResolvedValue({ items: [], hasMore: false }) };
  const session = new LiveSession(
    config,
    presence as unknown as PresenceRepository,
    slots as unknown as SocketSlots,
    limits as unknown as RateLimits,
    timelines as unknown as TimelineService,
    home as unknown as HomeTimelineService,
  );
  return { session, presence, slots, limits, timelines, home };
}

beforeAll(() => Logger.overrideLogger(false));

describe('LiveSession', () => {
  it('marks a connecting user online and puts the socket in its own room and its big accounts’ rooms', async () => {
    const { session, presence, timelines } = setup();
    timelines.bigFolloweesOf.mockResolvedValue(['8', '9']);
    await expect(session.open('1')).resolves.toEqual(['u:1', 'big:8', 'big:9']);
    expect(presence.refresh).toHaveBeenCalledWith(['1'], expect.any(Number));
  });

  it('still gives the socket its own room when Redis is unavailable', async () => {
    const { session, presence } = setup();
    presence.refresh.mockRejectedValue(new Error('Redis down'));
    await expect(session.open('1')).resolves.toEqual(['u:1']);
  });

  it('answers timeline:sync with the posts newer than since, and whether more are', async () => {
    const { session, home } = setup();
    home.since.mockResolvedValue({ items: [{ id: '12' }], hasMore: true });
    await expect(session.sync('1', { since: '10' })).resolves.toEqual({ items: [{ id: '12' }], hasMore: true });
    expect(home.since).toHaveBeenCalledWith('1', '10');
  });

  it.each([[undefined], [null], ['10'], [{}], [{ since: 10 }], [{ since: 'abc' }], [{ since: '-1' }]])(
    'answers a malformed timeline:sync payload %p with an error, without reading',
    async (body) => {
      const { session, home } = setup();
      await expect(session.sync('1', body)).resolves.toEqual({ error: expect.stringContaining('since') });
      expect(home.since).not.toHaveBeenCalled();
    },
  );

  it('counts timeline:sync against the user’s read limit and refuses it, with the wait, past the limit', async () => {
    const { session, limits, home } = setup();
    await session.sync('1', { since: '10' });
    expect(limits.consume).toHaveBeenCalledWith('read', ['u:1']);
    limits.consume.mockResolvedValue({ allowed: false, limit: 100, remaining: 0, resetSec: 42 });
    home.since.mockClear();
    await expect(session.sync('1', { since: '10' })).resolves.toEqual({ error: expect.stringContaining('too many'), retryAfter: 42 });
    expect(home.since).not.toHaveBeenCalled();
  });

  it('takes a socket slot with LIVE_MAX_SOCKETS as the maximum, and frees it once', async () => {
    const { session, slots } = setup();
    await expect(session.admit('1', 'sock-a')).resolves.toBe(true);
    expect(slots.take).toHaveBeenCalledWith('1', 'sock-a', 3, expect.any(Number));
    session.release('sock-a');
    session.release('sock-a');
    expect(slots.release).toHaveBeenCalledTimes(1);
    expect(slots.release).toHaveBeenCalledWith('1', 'sock-a');
  });

  it('refuses a socket when the user holds every slot, counts it, and frees nothing for it', async () => {
    const { session, slots, limits } = setup();
    slots.take.mockResolvedValue(false);
    await expect(session.admit('1', 'sock-b')).resolves.toBe(false);
    expect(limits.socketRefused).toHaveBeenCalledTimes(1);
    session.release('sock-b');
    expect(slots.release).not.toHaveBeenCalled();
  });

  it('lets a socket in uncounted when the slots cannot be read', async () => {
    const { session, slots } = setup();
    slots.take.mockRejectedValue(new Error('Redis down'));
    await expect(session.admit('1', 'sock-c')).resolves.toBe(true);
  });

  it('answers an error when the timeline cannot be read', async () => {
    const { session, home } = setup();
    home.since.mockRejectedValue(new Error('Redis down'));
    await expect(session.sync('1', { since: '10' })).resolves.toEqual({ error: expect.stringContaining('unavailable') });
  });
});
