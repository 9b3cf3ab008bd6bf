import type { Api, Relation } from './api.js';

/** At most this many pages of 100 are read to know whom the reader follows, mutes or blocks. */
const MAX_PAGES = 10;

/**
 * Whom the reader follows (and, with version 2 of the API, mutes and blocks), so a post's menu
 * offers the right action. Usernames are compared in lower case, as the API does.
 */
export class Relations {
  private following: Set<string> | null = null;
  private readonly related: Record<Relation, Set<string> | null> = { mute: null, block: null };

  constructor(private readonly api: Api, private readonly me: string) {}

  async loadFollowing(): Promise<void> {
    const names = new Set<string>();
    let cursor: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const { items, nextCursor } = await this.api.following(this.me, cursor);
      for (const user of items) names.add(user.username.toLowerCase());
      if (nextCursor === null) {
        this.following = names;
        return;
      }
      cursor = nextCursor;
    }
    // A very long list: beyond it, both actions are offered (each is idempotent).
  }

  async loadRelations(): Promise<void> {
    for (const kind of ['mute', 'block'] as const) {
      const names = new Set<string>();
      let cursor: string | undefined;
      let complete = false;
      for (let page = 0; page < MAX_PAGES && !complete; page++) {
        const { items, nextCursor } = await this.api.relations(kind, cursor);
        for (const user of items) names.add(user.username.toLowerCase());
        complete = nextCursor === null;
        cursor = nextCursor ?? undefined;
      }
      if (complete) this.related[kind] = names;
    }
  }

  isFollowing(username: string): boolean | undefined {
    return this.following?.has(username.toLowerCase());
  }

  setFollowing(username: string, on: boolean): void {
    if (on) this.following?.add(username.toLowerCase());
    else this.following?.delete(username.toLowerCase());
  }

  is(kind: Relation, username: string): boolean | undefined {
    return this.related[kind]?.has(username.toLowerCase());
  }

  set(kind: Relation, username: string, on: boolean): void {
    if (on) this.related[kind]?.add(username.toLowerCase());
    else this.related[kind]?.delete(username.toLowerCase());
  }

  list(kind: Relation): string[] {
    return [...(this.related[kind] ?? [])].sort();
  }
}
