import { BadRequestException, Injectable } from '@nestjs/common';
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { AppConfig } from '../config/app-config';
import { isId } from '../common/ids';

const VERSION = 1;
const BODY_BYTES = 2 + 8;
/** 96 bits of HMAC-SHA256: guessing one online is hopeless, and the cursor stays 30 characters. */
const MAC_BYTES = 12;
const CURSOR_BYTES = BODY_BYTES + MAC_BYTES;
const CURSOR_PATTERN = /^[A-Za-z0-9_-]{30}$/;
const DEEP = 0x01;

/** Where a page ends: after this post id; `deep` when that was below the Redis window's seam. */
export interface HomePosition {
  after: string;
  deep: boolean;
}

export const BAD_HOME_CURSOR = 'cursor is not valid for your home timeline: pass the nextCursor of one of your own pages, or leave it out to start from the newest';

/**
 * Home timeline cursors: where the last page ended, bound to its reader
 * and signed. A home timeline is private (who you follow shows in it), so a cursor from another
 * reader, or one edited by hand, is refused instead of being read as a position.
 *
 * Layout, base64url: version (1 byte) · flags (1 byte) · post id (8 bytes, big-endian) ·
 * HMAC-SHA256 over those and the reader's id, cut to 12 bytes. The one flag says the page ended
 * below the Redis window, so the next one is read from PostgreSQL without asking Redis first. The key is derived from JWT_SECRET
 * with HKDF under a label of its own, so it never signs anything but cursors; rotating the secret
 * makes open cursors fail with a 400, and the client starts again from the newest page.
 */
@Injectable()
export class HomeCursors {
  private readonly key: Buffer;

  constructor(config: AppConfig) {
    this.key = Buffer.from(hkdfSync('sha256', config.jwtSecret, 'feed-fanout', 'home timeline cursor v1', 32));
  }

  encode(readerId: string, position: HomePosition): string {
    const body = Buffer.alloc(BODY_BYTES);
    body.writeUInt8(VERSION, 0);
    body.writeUInt8(position.deep ? DEEP : 0, 1);
    body.writeBigUInt64BE(BigInt(position.after), 2);
    return Buffer.concat([body, this.mac(readerId, body)]).toString('base64url');
  }

  /** Where a cursor points; undefined for no cursor; a 400 for anything not issued to this reader. */
  decode(readerId: string, cursor: string | undefined): HomePosition | undefined {
    if (cursor === undefined) return undefined;
    const raw = CURSOR_PATTERN.test(cursor) ? Buffer.from(cursor, 'base64url') : Buffer.alloc(0);
    if (raw.length !== CURSOR_BYTES || raw.readUInt8(0) !== VERSION) throw new BadRequestException(BAD_HOME_CURSOR);
    const body = raw.subarray(0, BODY_BYTES);
    if (!timingSafeEqual(raw.subarray(BODY_BYTES), this.mac(readerId, body))) throw new BadRequestException(BAD_HOME_CURSOR);
    const after = body.readBigUInt64BE(2).toString();
    // Only this service signs cursors, and only for real ids; the check keeps a leaked key harmless.
    if (!isId(after) || (body.readUInt8(1) & ~DEEP) !== 0) throw new BadRequestException(BAD_HOME_CURSOR);
    return { after, deep: (body.readUInt8(1) & DEEP) !== 0 };
  }

  private mac(readerId: string, body: Buffer): Buffer {
    const reader = Buffer.alloc(8);
    reader.writeBigUInt64BE(BigInt(readerId));
    return createHmac('sha256', this.key).update(body).update(reader).digest().subarray(0, MAC_BYTES);
  }
}
