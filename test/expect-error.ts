import { STATUS_CODES } from 'node:http';
import type { Response } from 'supertest';

/** What must never leave the service in an error: stack frames, source paths, SQL, driver or class names. */
const LEAKS: RegExp[] = [
  /\bat \S+ \(/, // a stack frame
  /[\w/-]+\.(ts|js):\d+/, // a source location
  /node_modules|\/src\/|\/work\//,
  /\bstack\b/i,
  /\bSELECT\b|\bINSERT INTO\b|\bUPDATE \w+ SET\b|\bDELETE FROM\b|\bWHERE\b|\bRETURNING\b/,
  /QueryFailed|TypeORM|duplicate key|violates|relation "|column "|invalid byte sequence|pg_|sqlstate/i,
  /\b(TypeError|ReferenceError|RangeError|SyntaxError|EntityNotFound)\b/,
  /\w+(Repository|Service|Controller|Dto|Pipe|Guard|Exception)\b/,
  /FST_|ioredis|bullmq|ECONNREFUSED/i,
];

/**
 * Asserts an error answer in the contract's shape, `{ statusCode, error, message }`, with nothing
 * internal in it (`echoed`: strings the request carried, which the answer may name); returns the
 * message as one string (validation messages joined by newlines).
 */
export function expectError(res: Response, status: number, message?: string | RegExp, echoed: string[] = []): string {
  if (res.status !== status) {
    throw new Error(`expected ${status}, got ${res.status}: ${res.text.slice(0, 500)}`);
  }
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  expect(Object.keys(res.body).sort()).toEqual(['error', 'message', 'statusCode']);
  expect(res.body.statusCode).toBe(status);
  expect(res.body.error).toBe(STATUS_CODES[status]);
  const raw: unknown = res.body.message;
  const messages = Array.isArray(raw) ? raw : [raw];
  expect(messages.length).toBeGreaterThan(0);
  for (const m of messages) {
    expect(typeof m).toBe('string');
    expect((m as string).length).toBeGreaterThan(0);
  }
  // What the client itself sent may come back (an unknown username, a field name): it is no leak.
  const answer = echoed.reduce((text, sent) => (sent ? text.split(JSON.stringify(sent).slice(1, -1)).join('…') : text), res.text);
  for (const leak of LEAKS) {
    if (leak.test(answer)) throw new Error(`error answer leaks internals (${leak}): ${res.text.slice(0, 500)}`);
  }
  const text = messages.join('\n');
  if (message !== undefined) {
    if (typeof message === 'string') expect(text).toContain(message);
    else expect(text).toMatch(message);
  }
  return text;
}

/** Asserts a 400 whose message names the field (property names appear at the start of class-validator messages). */
export function expectBadField(res: Response, field: string): string {
  return expectError(res, 400, new RegExp(`(^|\\n|property )${field}\\b`));
}
