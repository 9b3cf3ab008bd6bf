import fc from 'fast-check';
import { createHmac } from 'node:crypto';

/**
 * fast-check generators of hostile input for the fuzz suite (test/fuzz.e2e-spec.ts): strings in
 * every odd corner of Unicode, ids out of range, forged cursors and tokens, bad header values.
 */

/** Characters that break naive code: controls, NUL, bidi and zero-width ones, lone surrogates, BOM, non-characters, markup. */
const ODD_CHARS = [
  '\u0000', '\u0001', '\u0007', '\b', '\t', '\n', '\r', '\u001b', '\u007f', '\u0085', '\u00a0', '\u00ad',
  '\u200b', '\u200c', '\u200d', '\u200e', '\u202e', '\u2028', '\u2029', '\u2060', '\u2800', '\u3164', '\ufeff',
  '\ufffd', '\uffff', '\ufffe', '\ud800', '\udbff', '\udc00', '\udfff', '😀', '👩‍💻', '🇫🇷', '\u{10ffff}', '\u{e0041}',
  'é', 'e\u0301', 'ß', 'İ', 'Ω', '한', '١', '１', '<', '>', '&', '"', "'", '`', '\\', '/', '%', '$', '{', '}', '[', ']',
];

const SPECIAL_STRINGS = [
  '', ' ', '   ', 'null', 'undefined', 'true', 'NaN', 'Infinity', '-0', '[]', '{}', '__proto__', 'constructor',
  "' OR 1=1 --", '"; DROP TABLE users; --', '${7*7}', '{{7*7}}', '<script>alert(1)</script>', '../../etc/passwd',
  '%00', '%', '%ZZ', '\u0000', '\ud800', '\u200b', '\ufeff', 'a\u0000b', 'x'.repeat(281), '😀'.repeat(281), 'é'.repeat(300),
  'admin', 'me', '1', '0', '-1', '9223372036854775807', '9223372036854775808',
];

const oddChar = fc.constantFrom(...ODD_CHARS);

/** Strings of every kind: plain, any code point, odd characters, specials, and big ones (past every limit). */
export const oddString = (): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
    { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
    { weight: 3, arbitrary: fc.string({ unit: fc.oneof(oddChar, fc.string({ minLength: 1, maxLength: 1 })), maxLength: 30 }) },
    { weight: 3, arbitrary: fc.constantFrom(...SPECIAL_STRINGS) },
    { weight: 1, arbitrary: fc.tuple(fc.oneof(oddChar, fc.constant('a')), fc.integer({ min: 100, max: 20_000 })).map(([c, n]) => c.repeat(n)) },
  );

/** Post ids as a client could send them: real ones, edges of the range, and what is no id at all. */
export const idString = (real: () => string[]): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 3, arbitrary: fc.nat().map((i) => real()[i % real().length]) },
    {
      weight: 3,
      arbitrary: fc.constantFrom('0', '-1', '1', '01', '1.5', '1e3', '0x10', ' 1', '1 ', '+1', '9223372036854775807', '9223372036854775808',
        '18446744073709551615', '18446744073709551616', '9'.repeat(40), '１２３', '1_000'),
    },
    { weight: 3, arbitrary: fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(String) },
    { weight: 1, arbitrary: oddString() },
  );

/** Any JSON value, with the odd strings and numbers beyond the safe range in it. */
export const jsonValue = (): fc.Arbitrary<unknown> =>
  fc.oneof(
    { weight: 4, arbitrary: oddString() },
    { weight: 2, arbitrary: fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(2 ** 53, 1e308, -0, 1e-7)) },
    { weight: 2, arbitrary: fc.constantFrom(null, true, false, [], {}) },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
    { weight: 1, arbitrary: fc.array(oddString(), { maxLength: 5 }) },
  );

/** A path segment, percent-encoded byte by byte (lone surrogates go out as U+FFFD, as a browser would send them). */
export function encodeSegment(value: string): string {
  return [...Buffer.from(value, 'utf8')].map((b) => (/[A-Za-z0-9_.~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
}

/** A raw path segment: percent-encoded text, or bytes that are not UTF-8 at all, or broken escapes. */
export const pathSegment = (wellFormed: fc.Arbitrary<string>): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 6, arbitrary: wellFormed.map(encodeSegment) },
    { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 12 }).map((bytes) => [...bytes].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('')) },
    { weight: 1, arbitrary: fc.constantFrom('%', '%Z', '%ZZ', '%E0%A4%A', '%C0%80', '%ED%A0%80', '%F4%90%80%80', '..', '.', '%2e%2e', '%2F') },
  );

/** Header values Node will send: printable Latin-1 (a header cannot carry anything else). */
export const headerValue = (): fc.Arbitrary<string> =>
  fc.oneof(
    fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 80 }),
    fc.string({ unit: fc.integer({ min: 0x20, max: 0xff }).filter((c) => c < 0x7f || c > 0x9f).map((c) => String.fromCharCode(c)), maxLength: 40 }),
    fc.constantFrom('', ' ', 'k'.repeat(255), 'k'.repeat(256), 'k'.repeat(8000), 'caf\u00e9', 'a\tb'),
  );

const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

function signJwt(header: object, payload: unknown, secret: string): string {
  const unsigned = `${b64(header)}.${b64(payload)}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}

/** What a client can put in Authorization: the real token, none, and every forgery that must be a 401. */
export function authorization(secret: string, real: { id: string; username: string; token: string }): fc.Arbitrary<string | undefined> {
  const now = Math.floor(Date.now() / 1000);
  const claims = fc.record(
    {
      sub: fc.oneof(fc.constant(real.id), idString(() => [real.id]), jsonValue()),
      username: fc.oneof(fc.constant(real.username), jsonValue()),
      exp: fc.oneof(fc.constant(now + 3600), fc.constantFrom(now - 10, 0, -1, 1e308, 'tomorrow', null), fc.integer()),
      iat: fc.oneof(fc.constant(now), jsonValue()),
    },
    { requiredKeys: [] },
  );
  const token = fc.oneof(
    { weight: 3, arbitrary: claims.map((c) => signJwt({ alg: 'HS256', typ: 'JWT' }, c, secret)) },
    { weight: 1, arbitrary: claims.map((c) => signJwt({ alg: 'HS256' }, c, 'not-the-secret')) },
    { weight: 1, arbitrary: claims.map((c) => `${b64({ alg: 'none', typ: 'JWT' })}.${b64(c)}.`) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom('HS384', 'HS512', 'RS256', 'none', 'NONE', ''), claims).map(([alg, c]) => signJwt({ alg }, c, secret)) },
    { weight: 1, arbitrary: fc.tuple(fc.nat(real.token.length - 1), fc.constantFrom('A', '_', '.', '')).map(([i, c]) => real.token.slice(0, i) + c + real.token.slice(i + 1)) },
    { weight: 1, arbitrary: headerValue() },
  );
  return fc.oneof(
    { weight: 6, arbitrary: fc.constant(`Bearer ${real.token}`) },
    { weight: 1, arbitrary: fc.constant(undefined) },
    { weight: 4, arbitrary: token.map((t) => `Bearer ${t}`) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom('Bearer', 'bearer', 'Basic', 'Bearer  ', 'Token', ''), token).map(([scheme, t]) => `${scheme} ${t}`.slice(0, 8000)) },
    { weight: 1, arbitrary: headerValue() },
  );
}

/**
 * Cursors: real ones (of this reader or another), the same edited by one character or cut,
 * base64url of anything, and home cursors signed with the right key around ids out of range.
 */
export function cursor(real: () => string[], signHome: (id: bigint, deep: boolean) => string): fc.Arbitrary<string> {
  const pick = fc.nat().map((i) => real()[i % real().length]);
  return fc.oneof(
    { weight: 2, arbitrary: pick },
    { weight: 2, arbitrary: fc.tuple(pick, fc.nat(), fc.constantFrom('A', 'z', '-', '_', '', '==', '.')).map(([c, i, ch]) => c.slice(0, i % (c.length + 1)) + ch + c.slice((i % (c.length + 1)) + 1)) },
    { weight: 2, arbitrary: fc.tuple(fc.constantFrom('c1:', 'c2:', '', 'h1:'), idString(() => ['1'])).map(([prefix, id]) => b64(prefix + id)) },
    { weight: 2, arbitrary: fc.tuple(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.boolean()).map(([id, deep]) => signHome(id, deep)) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.from(bytes).toString('base64url')) },
    { weight: 1, arbitrary: oddString() },
  );
}
