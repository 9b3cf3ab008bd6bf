import { BadRequestException } from '@nestjs/common';
import { isId } from './ids';

// Cursors are opaque to clients; inside they are the id of the last item of the page.
const PREFIX = 'c1:';

export function encodeCursor(lastId: string): string {
  return Buffer.from(PREFIX + lastId, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  const decoded = /^[A-Za-z0-9_-]{1,64}$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const id = decoded.startsWith(PREFIX) ? decoded.slice(PREFIX.length) : '';
  if (!isId(id)) throw new BadRequestException('cursor is malformed: pass the nextCursor of a previous page');
  return id;
}
