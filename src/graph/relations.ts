/**
 * What the feed rules need to know of one user's place in the graph, both sides of each relation,
 * so a question about two users can be answered from whichever of the two was loaded: the reader
 * (a home read, one reader and many authors) or the author (a fan-out batch, one author and many
 * readers).
 */
export interface UserRelations {
  /** Users this one blocks or is blocked by. */
  blocks: Set<string>;
  /** Users this one mutes. */
  mutes: Set<string>;
  /** Users who mute this one. */
  mutedBy: Set<string>;
  /** Accounts this one follows with `reposts: false`. */
  hidesRepostsOf: Set<string>;
  /** Followers of this one who follow it with `reposts: false`. */
  repostsHiddenBy: Set<string>;
  /**
   * Every account this one follows, so that a page's replies need no query (rule 1); null for a
   * following larger than FOLLOWS_KEPT, which PostgreSQL is asked about instead.
   */
  follows: Set<string> | null;
}

/** The relations that can keep a post from a reader: both sides of each, as sets of user ids. */
export type RelationKind = Exclude<keyof UserRelations, 'follows'>;

/** A following larger than this is not kept with the relations (see UserRelations.follows). */
export const FOLLOWS_KEPT = 1000;

/** The plain form of UserRelations, as stored in the cache (arrays of user ids). */
export type StoredRelations = { [K in RelationKind]: string[] } & { follows: string[] | null };

export const RELATION_KINDS: RelationKind[] = ['blocks', 'mutes', 'mutedBy', 'hidesRepostsOf', 'repostsHiddenBy'];

export function toUserRelations(stored: Partial<StoredRelations>): UserRelations {
  const relations = Object.fromEntries(RELATION_KINDS.map((kind) => [kind, new Set(stored[kind] ?? [])])) as Omit<UserRelations, 'follows'>;
  // Entries cached before the following was kept lack it: PostgreSQL is asked, as for a large one.
  return { ...relations, follows: stored.follows ? new Set(stored.follows) : null };
}

/**
 * The relations loaded for one batch. Each question names a reader and another account and is
 * answered from either one's relations; asking about two users of whom neither was loaded is a bug
 * in the caller, and throws rather than letting a post through.
 */
export class Relations {
  /** Follows asked about for this batch, as `reader>account`, and those of them that stand. */
  private readonly followsAsked = new Set<string>();
  private readonly followsFound = new Set<string>();

  constructor(private readonly byUser: ReadonlyMap<string, UserRelations>) {}

  /**
   * Adds what the batch needs of the follow graph (rule 1): for each [reader, account] pair asked,
   * whether the reader follows the account. A following is too big to load whole; the batch's loader
   * asks PostgreSQL for exactly the pairs its posts and readers raise (repliedAccount).
   */
  withFollows(asked: [string, string][], found: [string, string][]): this {
    for (const [reader, account] of asked) this.followsAsked.add(`${reader}>${account}`);
    for (const [reader, account] of found) this.followsFound.add(`${reader}>${account}`);
    return this;
  }

  /** Whether the reader's whole following was loaded with their relations: then follows() needs no withFollows(). */
  knowsFollowsOf(readerId: string): boolean {
    return Boolean(this.byUser.get(readerId)?.follows);
  }

  /** The reader follows the account; a pair the batch did not load is a bug in the caller and throws. */
  follows(readerId: string, accountId: string): boolean {
    const following = this.byUser.get(readerId)?.follows;
    if (following) return following.has(accountId);
    const key = `${readerId}>${accountId}`;
    if (!this.followsAsked.has(key)) throw new Error(`whether ${readerId} follows ${accountId} was not loaded`);
    return this.followsFound.has(key);
  }

  static of(entries: Iterable<[string, UserRelations]>): Relations {
    return new Relations(new Map(entries));
  }

  /** The users whose relations were loaded. */
  get loaded(): string[] {
    return [...this.byUser.keys()];
  }

  /** Either blocks the other. */
  blockedEitherWay(a: string, b: string): boolean {
    return this.ask(a, b, (r) => r.blocks.has(b), (r) => r.blocks.has(a));
  }

  mutes(readerId: string, accountId: string): boolean {
    return this.ask(readerId, accountId, (r) => r.mutes.has(accountId), (r) => r.mutedBy.has(readerId));
  }

  /** The reader follows the account with `reposts: false`. */
  hidesRepostsOf(readerId: string, accountId: string): boolean {
    return this.ask(readerId, accountId, (r) => r.hidesRepostsOf.has(accountId), (r) => r.repostsHiddenBy.has(readerId));
  }

  /**
   * Every user some relation of these accounts names: the only readers for whom a rule about these
   * accounts can say no (used where the readers are not listed, such as a big account's room).
   */
  relatedTo(accountIds: string[]): string[] {
    const ids = new Set<string>();
    for (const accountId of accountIds) {
      const r = this.byUser.get(accountId);
      if (!r) throw new Error(`relations of ${accountId} were not loaded`);
      for (const kind of RELATION_KINDS) for (const id of r[kind]) ids.add(id);
    }
    return [...ids];
  }

  private ask(a: string, b: string, fromA: (r: UserRelations) => boolean, fromB: (r: UserRelations) => boolean): boolean {
    const ra = this.byUser.get(a);
    if (ra) return fromA(ra);
    const rb = this.byUser.get(b);
    if (rb) return fromB(rb);
    throw new Error(`relations of neither ${a} nor ${b} were loaded`);
  }
}
