import { Logger } from '@nestjs/common';
import { HomeTimelineService } from '../timelines/home-timeline.service';
import { TimelineService } from '../timelines/timeline.service';
import { LiveSession } from './live-session.service';
import { PresenceRepository } from './presence.repository';

function setup() {
  const presence = { refresh: jest.fn().mockResolvedValue(undefined) };
  const timelines = { bigFolloweesOf: jest.fn().mockResolvedValue([]) };
  const home = { since: jest.fn().mockResolvedValue({ items: [], hasMore: false }) };
  const session = new LiveSession(presence as unknown as PresenceRepository, timelines as unknown as TimelineService, home as unknown as HomeTimelineService);
  return { session, presence, timelines, home };
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
    await expect(session.sync('s1', '1', { since: '10' })).resolves.toEqual({ items: [{ id: '12' }], hasMore: true });
    expect(home.since).toHaveBeenCalledWith('1', '10');
  });

  it.each([[undefined], [null], ['10'], [{}], [{ since: 10 }], [{ since: 'abc' }], [{ since: '-1' }]])(
    'answers a malformed timeline:sync payload %p with an error, without reading',
    async (body) => {
      const { session, home } = setup();
      await expect(session.sync('s1', '1', body)).resolves.toEqual({ error: expect.stringContaining('since') });
      expect(home.since).not.toHaveBeenCalled();
    },
  );

  it('refuses a flood of timeline:sync calls from one socket, not from others', async () => {
    const { session } = setup();
    const acks = [];
    for (let i = 0; i < 8; i++) acks.push(await session.sync('flooder', '1', { since: '10' }));
    expect(acks.slice(0, 5).every((a) => 'items' in a)).toBe(true);
    expect(acks.slice(5).every((a) => 'error' in a && a.error.includes('too many'))).toBe(true);
    await expect(session.sync('calm', '2', { since: '10' })).resolves.toEqual({ items: [], hasMore: false });
  });

  it('answers an error when the timeline cannot be read', async () => {
    const { session, home } = setup();
    home.since.mockRejectedValue(new Error('Redis down'));
    await expect(session.sync('s1', '1', { since: '10' })).resolves.toEqual({ error: expect.stringContaining('unavailable') });
  });
});
