import { BadRequestException, UnauthorizedException } from '@nestjs/common';
import { LiveFeedService } from '../realtime/live-feed.service';
import { MarkersRepository } from './markers.repository';
import { MarkersService } from './markers.service';
import { parseSocketId } from './socket-id.decorator';

function setup() {
  const markers = { find: jest.fn(), save: jest.fn() };
  const live = { markerMoved: jest.fn() };
  const service = new MarkersService(markers as unknown as MarkersRepository, live as unknown as LiveFeedService);
  return { service, markers, live };
}

const at = new Date('2026-03-01T10:00:00.000Z');

describe('MarkersService', () => {
  it('answers nulls for a user who never set a marker', async () => {
    const { service, markers } = setup();
    markers.find.mockResolvedValue(undefined);
    await expect(service.get('1')).resolves.toEqual({ lastReadId: null, updatedAt: null });
    expect(markers.find).toHaveBeenCalledWith('1');
  });

  it('answers the stored marker', async () => {
    const { service, markers } = setup();
    markers.find.mockResolvedValue({ last_read_id: '500', updated_at: at });
    await expect(service.get('1')).resolves.toEqual({ lastReadId: '500', updatedAt: '2026-03-01T10:00:00.000Z' });
  });

  it('stores a marker and pushes it to the user’s sockets but the caller’s own', async () => {
    const { service, markers, live } = setup();
    markers.save.mockResolvedValue({ last_read_id: '500', updated_at: at });
    const marker = { lastReadId: '500', updatedAt: '2026-03-01T10:00:00.000Z' };
    await expect(service.set('1', '500', 'sock-A')).resolves.toEqual(marker);
    expect(markers.save).toHaveBeenCalledWith('1', '500');
    expect(live.markerMoved).toHaveBeenCalledWith('1', marker, 'sock-A');
  });

  it('answers 401 for a token whose account is gone, and pushes nothing', async () => {
    const { service, markers, live } = setup();
    markers.save.mockRejectedValue(Object.assign(new Error('fk'), { code: '23503' }));
    await expect(service.set('1', '500')).rejects.toThrow(UnauthorizedException);
    expect(live.markerMoved).not.toHaveBeenCalled();
  });
});

describe('parseSocketId', () => {
  it('passes an absent header and a Socket.IO id through', () => {
    expect(parseSocketId(undefined)).toBeUndefined();
    expect(parseSocketId('aB3_-xYz0123456789AB')).toBe('aB3_-xYz0123456789AB');
  });

  it.each([[''], ['a b'], ['x'.repeat(65)], ['id1, id2'], [['a', 'b']], ['é']])('refuses %p with a 400', (value) => {
    expect(() => parseSocketId(value)).toThrow(BadRequestException);
  });
});
