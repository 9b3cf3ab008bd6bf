/**
 * Values parsed from texts read from a cache, kept per key for as long as the key's text stays the
 * same, so that what many requests read (a post on many pages, a reader's relations on each of
 * their pages) is parsed once per process, not once per read. Bounded by the characters of the
 * texts kept, the oldest evicted first. The values are shared by every caller: never mutate one.
 */
export class ParsedTexts<T> {
  private readonly entries = new Map<string, { text: string; value: T }>();
  private chars = 0;

  constructor(
    private readonly budgetChars: number,
    private readonly parse: (text: string) => T,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** The value of `text`, parsed now unless `key`'s kept text is the same. */
  get(key: string, text: string): T {
    const kept = this.entries.get(key);
    if (kept?.text === text) return kept.value;
    if (kept) this.forget(key, kept.text);
    const value = this.parse(text);
    this.entries.set(key, { text, value });
    this.chars += text.length;
    for (const [oldest, entry] of this.entries) {
      if (this.chars <= this.budgetChars) break;
      this.forget(oldest, entry.text);
    }
    return value;
  }

  private forget(key: string, text: string): void {
    this.entries.delete(key);
    this.chars -= text.length;
  }
}
