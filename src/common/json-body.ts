import { BadRequestException, UnsupportedMediaTypeException } from '@nestjs/common';

/**
 * No request of the contract nests deeper than this. Validation transforms a body one call per
 * level, so a deeply nested body that fits the size limit would otherwise exhaust the stack.
 */
export const MAX_JSON_DEPTH = 32;

type Done = (err: Error | null, body?: unknown) => void;
type Parser<Req> = (req: Req, body: string, done: Done) => void;

interface FastifyParsers<Req> {
  getDefaultJsonParser(onProtoPoisoning: 'error', onConstructorPoisoning: 'error'): Parser<Req>;
  removeAllContentTypeParsers(): void;
  addContentTypeParser(type: string, options: { parseAs: 'string'; bodyLimit: number }, parser: Parser<Req>): void;
}

/**
 * JSON is the only body the API takes: any other content type is a 415. Bodies are parsed by
 * Fastify's own safe parser (a `__proto__` or `constructor` key is a 400); an empty body is no
 * body whatever its content type, so a bodyless POST or DELETE still works.
 */
export function acceptJsonBodiesOnly<Req>(fastify: FastifyParsers<Req>, bodyLimit: number): void {
  const parse = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit }, (req, body, done) => {
    if (body.trim() === '') return done(null, undefined);
    if (jsonDepth(body) > MAX_JSON_DEPTH) {
      return done(new BadRequestException(`request body is nested too deeply (at most ${MAX_JSON_DEPTH} levels)`));
    }
    parse(req, body, (err, value) => {
      if (err) return done(err);
      // JSON.parse turns an escaped lone surrogate ("\ud800") into a string no UTF-8 store can
      // hold: PostgreSQL would keep U+FFFD instead. Invalid text is refused, not silently changed.
      if (LONE_SURROGATE_ESCAPE.test(body) && !isWellFormedJson(value)) {
        return done(new BadRequestException('request body holds a lone surrogate (\\uD800-\\uDFFF): send valid Unicode text'));
      }
      done(null, value);
    });
  });
  // Any other type is refused, unless the body is empty (`curl -d ''` on a bodyless POST).
  fastify.addContentTypeParser('*', { parseAs: 'string', bodyLimit }, (_req, body, done) => {
    if (body.trim() === '') return done(null, undefined);
    done(new UnsupportedMediaTypeException('unsupported content type: send application/json'));
  });
}

/** The only way a lone surrogate gets into a parsed body: an escape (the UTF-8 decoder replaces raw ones). */
const LONE_SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;

/** A surrogate code unit not part of a pair (with the `u` flag, a pair is one code point). */
const LONE_SURROGATE = /\p{Surrogate}/u;

/** Whether every string (keys included) in a parsed JSON value is well-formed UTF-16. */
export function isWellFormedJson(value: unknown): boolean {
  if (typeof value === 'string') return !LONE_SURROGATE.test(value);
  if (Array.isArray(value)) return value.every(isWellFormedJson);
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).every(([key, item]) => !LONE_SURROGATE.test(key) && isWellFormedJson(item));
  }
  return true;
}

/** How deep arrays and objects nest in a JSON text (brackets inside strings do not count). */
export function jsonDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
    } else if (c === '{' || c === '[') {
      deepest = Math.max(deepest, ++depth);
    } else if (c === '}' || c === ']') {
      depth--;
    }
  }
  return deepest;
}
