import { Logger } from '@nestjs/common';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import fastifyStatic from '@fastify/static';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Where the browser client's files are served from. */
export const WEB_PREFIX = '/web/';

/**
 * The web client: `GET /` is its page, `/web/*` its script modules, styles and icon, all from
 * `dist/web` (built by `npm run build` from `web/`). Nothing comes from elsewhere at run time:
 * the Socket.IO client is the one this server serves at /socket.io/.
 */
export function serveWebClient(app: NestFastifyApplication): void {
  const root = join(projectRoot(), 'dist', 'web');
  const indexFile = join(root, 'index.html');
  if (!existsSync(indexFile)) {
    new Logger('WebClient').warn({ msg: 'the web client is not built, so / is not served: run npm run build', expected: root });
    return;
  }
  const page = readFileSync(indexFile);
  const fastify = app.getHttpAdapter().getInstance();
  // The page is read once; it is tiny and only changes with a build (and a restart).
  fastify.get('/', (_request, reply) => {
    void reply.header('Cache-Control', 'no-cache').type('text/html; charset=utf-8').send(page);
  });
  void fastify.register(fastifyStatic, {
    root,
    prefix: WEB_PREFIX,
    index: false,
    // Swagger's static files use the reply decorators; they are not needed here.
    decorateReply: false,
    // Files are not fingerprinted: browsers revalidate (ETag) rather than keep a stale script.
    cacheControl: true,
    maxAge: 0,
  });
}

/** The directory of package.json, from src/web (tests) or dist/src/web (a build) alike. */
function projectRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${__dirname}`);
    dir = parent;
  }
  return dir;
}
