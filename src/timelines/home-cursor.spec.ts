import { BadRequestException } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { encodeCursor } from '../common/cursor';
import { HomeCursors } from './home-cursor';

const cursors = new HomeCursors({ jwtSecret: 'secret one' } as AppConfig);

function rejects(reader: string, cursor: string) {
  expect(() => cursors.decode(reader, cursor)).toThrow(BadRequestException);
  expect(() => cursors.decode(reader, cursor)).toThrow(/cursor is not valid for your home timeline/);
}

describe('HomeCursors', () => {
  it.each(['1', '42', '7212345678901234', '9223372036854775807'])('round-trips id %s for its reader', (id) => {
    expect(cursors.decode('7', cursors.encode('7', { after: id, deep: false }))).toEqual({ after: id, deep: false });
    expect(cursors.decode('7', cursors.encode('7', { after: id, deep: true }))).toEqual({ after: id, deep: true });
  });

  it('is opaque, URL-safe and short', () => {
    const cursor = cursors.encode('7', { after: '7212345678901234', deep: false });
    expect(cursor).toMatch(/^[A-Za-z0-9_-]{30}$/);
    expect(cursor).not.toContain('7212345678901234');
  });

  it('passes an absent cursor through as undefined', () => {
    expect(cursors.decode('7', undefined)).toBeUndefined();
  });

  it('refuses a cursor issued to another reader', () => {
    rejects('8', cursors.encode('7', { after: '7212345678901234', deep: false }));
  });

  it('refuses a cursor signed with another secret', () => {
    const other = new HomeCursors({ jwtSecret: 'secret two' } as AppConfig);
    rejects('7', other.encode('7', { after: '7212345678901234', deep: true }));
  });

  it('refuses a cursor whose position was edited, whichever byte', () => {
    const raw = Buffer.from(cursors.encode('7', { after: '7212345678901234', deep: false }), 'base64url');
    for (let i = 0; i < raw.length; i++) {
      const edited = Buffer.from(raw);
      edited[i] ^= 0x01;
      rejects('7', edited.toString('base64url'));
    }
  });

  it.each([
    ['empty', ''],
    ['a bare id', '7212345678901234'],
    ['the unsigned cursor of other lists', encodeCursor('7212345678901234')],
    ['not base64url', 'abc+/def=='.padEnd(30, 'A')],
    ['one character short', 'A'.repeat(29)],
    ['one character long', 'A'.repeat(31)],
    ['huge', 'A'.repeat(10_000)],
    ['unicode', 'é'.repeat(30)],
  ])('refuses %s', (_, cursor) => {
    rejects('7', cursor);
  });

  it('refuses a well-signed cursor holding no valid id (zero, or above 2^63-1) or unknown flags', () => {
    // Only a holder of the key could make these; decode still refuses them rather than query with them.
    const forge = (id: bigint, flags = 0) => {
      const body = Buffer.alloc(10);
      body.writeUInt8(1, 0);
      body.writeUInt8(flags, 1);
      body.writeBigUInt64BE(id, 2);
      const mac = (cursors as unknown as { mac(r: string, b: Buffer): Buffer }).mac('7', body);
      return Buffer.concat([body, mac]).toString('base64url');
    };
    expect(cursors.decode('7', forge(5n))).toEqual({ after: '5', deep: false });
    rejects('7', forge(0n));
    rejects('7', forge(2n ** 63n));
    rejects('7', forge(5n, 0x02));
  });
});
