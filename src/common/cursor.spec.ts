import { BadRequestException } from '@nestjs/common';
import { decodeCursor, encodeCursor } from './cursor';

describe('cursor', () => {
  it.each(['1', '42', '7212345678901234', '9223372036854775807'])('round-trips id %s', (id) => {
    expect(decodeCursor(encodeCursor(id))).toBe(id);
  });

  it('is opaque and URL-safe', () => {
    const cursor = encodeCursor('7212345678901234');
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(cursor).not.toContain('7212345678901234');
  });

  it('passes an absent cursor through as undefined', () => {
    expect(decodeCursor(undefined)).toBeUndefined();
  });

  it.each([
    ['empty', ''],
    ['a bare id', '7212345678901234'],
    ['not base64url', 'abc+/def=='],
    ['too long', 'a'.repeat(65)],
    ['without the prefix', Buffer.from('7212345678901234').toString('base64url')],
    ['another version prefix', Buffer.from('c2:7212345678901234').toString('base64url')],
    ['a zero id', Buffer.from('c1:0').toString('base64url')],
    ['a negative id', Buffer.from('c1:-5').toString('base64url')],
    ['a leading zero', Buffer.from('c1:0123').toString('base64url')],
    ['an id above 2^63-1', Buffer.from('c1:9223372036854775808').toString('base64url')],
    ['a non-numeric id', Buffer.from('c1:abc').toString('base64url')],
    ['an id with SQL', Buffer.from("c1:1' OR 1=1").toString('base64url')],
  ])('rejects %s with a 400', (_, cursor) => {
    expect(() => decodeCursor(cursor)).toThrow(BadRequestException);
    expect(() => decodeCursor(cursor)).toThrow(/cursor is malformed/);
  });
});
