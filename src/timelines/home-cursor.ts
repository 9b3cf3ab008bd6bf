import { BadRequestException, Injectable } from '@nestjs/common';
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { AppConfig } from '../config/app-config';
import { isId } from '../common/ids';

const VERSION = 1;
const ID_BYTES = 8;
/** 96 bits of HMAC-SHA256: guessing one online is hopeless, and the cursor stays 28 characters. */
const MAC_BYTES = 12;
const CURSOR_BYTES = 1 + ID_BYTES + MAC_BYTES;
const CURSOR_PATTERN = /^[A-Za-z0-9_-]{28}$/;

export const BAD_HOME_CURSOR = 'cursor is not valid for your home timeline: pass the nextCursor of one of your own pages, or leave it out to start from the newest';

/**
 * Home timeline cursors: the id of the last post a page took into account, bound to its reader
 * and signed. A home timeline is private (who you follow shows in it), so a cursor from another
 * reader, or one edited by hand, is refused instead of being read as a position.
 *
 * Layout, base64url: version (1 byte) · post id (8 bytes, big-endian) · HMAC-SHA256 over the
 * version, the reader's id and the post id, cut to 12 bytes. The key is derived from JWT_SECRET
 * with HKDF under a label of its own, so it never signs anything but cursors; rotating the secret
 * makes open cursors fail with a 400, and the client starts again from the newest page.
 */
@Injectable()
export class HomeCursors {
  private readonly key: Buffer;

  constructor(config: AppConfig) {
    this.key = Buffer.from(hkdfSync('sha256', config.jwtSecret, 'feed-fanout', 'home timeline cursor v1', 32));
  }

  encode(readerId: string, lastId: string): string {
    const body = Buffer.alloc(1 + ID_BYTES);
    body.writeUInt8(VERSION, 0);
    body.writeBigUInt64BE(BigInt(lastId), 1);
    return Buffer.concat([body, this.mac(readerId, body)]).toString('base64url');
  }

  /** The post id a cursor points after; undefined for no cursor; a 400 for anything not issued to this reader. */
  decode(readerId: string, cursor: string | undefined): string | undefined {
    if (cursor === undefined) return undefined;
    const raw = CURSOR_PATTERN.test(cursor) ? Buffer.from(cursor, 'base64url') : Buffer.alloc(0);
    if (raw.length !== CURSOR_BYTES || raw.readUInt8(0) !== VERSION) throw new BadRequestException(BAD_HOME_CURSOR);
    const body = raw.subarray(0, 1 + ID_BYTES);
    if (!timingSafeEqual(raw.subarray(1 + ID_BYTES), this.mac(readerId, body))) throw new BadRequestException(BAD_HOME_CURSOR);
    const id = body.readBigUInt64BE(1).toString();
    // Only this service signs cursors, and only for real ids; the check keeps a leaked key harmless.
    if (!isId(id)) throw new BadRequestException(BAD_HOME_CURSOR);
    return id;
  }

  private mac(readerId: string, body: Buffer): Buffer {
    const reader = Buffer.alloc(ID_BYTES);
    reader.writeBigUInt64BE(BigInt(readerId));
    return createHmac('sha256', this.key).update(body).update(reader).digest().subarray(0, MAC_BYTES);
  }
}
