import { BadRequestException, createParamDecorator, ExecutionContext } from '@nestjs/common';

/** Socket.IO ids are 20 URL-safe base64 characters; anything far from that is a mistake. */
export const SOCKET_ID = /^[A-Za-z0-9_-]{1,64}$/;

export function parseSocketId(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !SOCKET_ID.test(value)) {
    throw new BadRequestException('X-Socket-Id must be the id (socket.id) of one of your live-feed sockets');
  }
  return value;
}

/**
 * The optional `X-Socket-Id` header: the live-feed socket of the device making a REST call, which
 * is then left out of the live event the call causes, since it knows already (Laravel Echo sends
 * the same header for the same reason). Nest's @Headers() takes no pipes, hence a decorator.
 */
export const SocketId = createParamDecorator((_: unknown, ctx: ExecutionContext) =>
  parseSocketId(ctx.switchToHttp().getRequest().headers?.['x-socket-id']),
);
