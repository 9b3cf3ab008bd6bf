/** The contract's shapes, asserted exactly: these keys and no others, ids as decimal strings. */

export const ID = /^[1-9][0-9]{0,18}$/;

/** An ISO-8601 timestamp (as Date#toISOString writes it), within `withinMs` of now when given. */
export function expectIso(value: unknown, withinMs?: number): void {
  expect(typeof value).toBe('string');
  expect(new Date(value as string).toISOString()).toBe(value);
  if (withinMs !== undefined) {
    expect(Math.abs(Date.parse(value as string) - Date.now())).toBeLessThan(withinMs);
  }
}

export function expectUser(value: unknown, expected: Partial<Record<string, unknown>> = {}): void {
  const user = value as Record<string, unknown>;
  expect(Object.keys(user).sort()).toEqual(
    ['createdAt', 'displayName', 'followersCount', 'followingCount', 'id', 'postsCount', 'username'].sort(),
  );
  expect(user.id).toMatch(ID);
  expect(typeof user.username).toBe('string');
  expect(typeof user.displayName).toBe('string');
  expectIso(user.createdAt);
  for (const count of ['followersCount', 'followingCount', 'postsCount']) {
    expect(Number.isInteger(user[count])).toBe(true);
    expect(user[count] as number).toBeGreaterThanOrEqual(0);
  }
  expect(user).toMatchObject(expected);
}

export function expectAuthor(value: unknown, expected: Partial<Record<string, unknown>> = {}): void {
  const author = value as Record<string, unknown>;
  expect(Object.keys(author).sort()).toEqual(['displayName', 'id', 'username']);
  expect(author.id).toMatch(ID);
  expect(typeof author.username).toBe('string');
  expect(typeof author.displayName).toBe('string');
  expect(author).toMatchObject(expected);
}

export function expectPost(value: unknown, expected: Partial<Record<string, unknown>> = {}): void {
  const post = value as Record<string, unknown>;
  expect(Object.keys(post).sort()).toEqual(['author', 'createdAt', 'id', 'replyTo', 'repostOf', 'text']);
  expect(post.id).toMatch(ID);
  expect(typeof post.text).toBe('string');
  expectIso(post.createdAt);
  expectAuthor(post.author);
  if (post.replyTo !== null) {
    const replyTo = post.replyTo as Record<string, unknown>;
    expect(Object.keys(replyTo).sort()).toEqual(['author', 'id']);
    expect(replyTo.id).toMatch(ID);
    expectAuthor(replyTo.author);
  }
  if (post.repostOf !== null) {
    // A repost: no text, no replyTo, and an original that is no repost itself.
    expect(post.text).toBe('');
    expect(post.replyTo).toBeNull();
    expectPost(post.repostOf);
    expect((post.repostOf as Record<string, unknown>).repostOf).toBeNull();
  }
  expect(post).toMatchObject(expected);
}

export function expectPage(value: unknown): { items: unknown[]; nextCursor: string | null } {
  const page = value as { items: unknown[]; nextCursor: string | null };
  expect(Object.keys(page).sort()).toEqual(['items', 'nextCursor']);
  expect(Array.isArray(page.items)).toBe(true);
  if (page.nextCursor !== null) {
    expect(typeof page.nextCursor).toBe('string');
    expect(page.nextCursor.length).toBeGreaterThan(0);
  }
  return page;
}

/** Descending by numeric value, for decimal id strings of any length. */
export function byIdDesc(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x > y ? -1 : x < y ? 1 : 0;
}
