import helmet from '@fastify/helmet';
import { NestFastifyApplication } from '@nestjs/platform-fastify';

type Directives = Record<string, string[] | null>;

/**
 * Same-origin everything, no inline script or style, no plugins, no framing: the web client at /
 * is built for it (web/index.html). `upgrade-insecure-requests` is left out: it would send a
 * page served over plain HTTP (a laptop, a test) to https:// for its own scripts.
 */
const STRICT: Directives = {
  'default-src': ["'self'"],
  'base-uri': ["'self'"],
  'object-src': ["'none'"],
  'frame-ancestors': ["'none'"],
  'form-action': ["'self'"],
  'script-src': ["'self'"],
  'script-src-attr': ["'none'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:'],
  'font-src': ["'self'"],
  'connect-src': ["'self'"],
  'upgrade-insecure-requests': null,
};

/**
 * Swagger UI (/docs) and Bull Board (/admin/queues) are third-party pages with inline styles (a
 * <style> block, style attributes); their scripts are files, so only styles are relaxed, and only
 * there.
 */
const INLINE_STYLES: Directives = { ...STRICT, 'style-src': ["'self'", "'unsafe-inline'"] };
const INLINE_STYLE_PAGES = /^\/(docs|admin\/queues)(\/|\?|$)/;

export function cspHeader(directives: Directives): string {
  return Object.entries(directives)
    .filter((entry): entry is [string, string[]] => entry[1] !== null)
    .map(([name, values]) => [name, ...values].join(' '))
    .join('; ');
}

/**
 * The usual security headers on every answer (@fastify/helmet: nosniff, a strict CSP,
 * frame-ancestors none, no referrer, ...), with inline styles allowed on the two pages that need them.
 */
export async function installSecurityHeaders(app: NestFastifyApplication): Promise<void> {
  await app.register(helmet, { contentSecurityPolicy: { useDefaults: false, directives: STRICT } });
  const relaxed = cspHeader(INLINE_STYLES);
  app.getHttpAdapter().getInstance().addHook('onSend', async (request, reply, payload) => {
    if (INLINE_STYLE_PAGES.test(request.url)) void reply.header('Content-Security-Policy', relaxed);
    return payload;
  });
}
