import type { IncomingMessage } from 'node:http';

/** What a browser on an allowed origin may send and read (the contract's request and answer headers). */
export const CORS_ALLOWED_HEADERS = ['Authorization', 'Content-Type', 'Idempotency-Key', 'X-Socket-Id'];
export const CORS_EXPOSED_HEADERS = ['RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset', 'Retry-After', 'Idempotent-Replayed'];

/**
 * REST's CORS options for @fastify/cors: only an origin on the list is ever echoed in
 * Access-Control-Allow-Origin. No credentials: the API takes bearer tokens, never cookies.
 */
export function restCorsOptions(origins: string[]) {
  return {
    origin: origins,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE'],
    allowedHeaders: CORS_ALLOWED_HEADERS,
    exposedHeaders: CORS_EXPOSED_HEADERS,
    credentials: false,
    maxAge: 600,
  };
}

/**
 * Socket.IO's check of the handshake's Origin. Browsers do not apply CORS to WebSockets, so the
 * server must: a page on another origin is refused unless that origin is on the list. A request
 * without Origin is not from a browser page (a server, a script), and the page served by this
 * service itself (Origin of the same host) is always let in.
 */
export function isAllowedSocketOrigin(request: IncomingMessage, origins: string[]): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  if (origins.includes(origin)) return true;
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}
