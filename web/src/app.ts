import type { Api, Relation } from './api.js';
import { Composer } from './composer.js';
import { h } from './dom.js';
import { FanoutPanel } from './fanout-panel.js';
import { FollowPanel } from './follow-panel.js';
import { LiveFeed, type ConnectionState } from './live.js';
import { SIGNED_OUT } from './errors.js';
import { renderPost, type PostActions } from './post-view.js';
import { RelationsPanel } from './relations-panel.js';
import { Relations } from './relations.js';
import { relativeTime } from './text.js';
import { TimelineView } from './timeline.js';
import { original, type Author, type Post, type Session } from './types.js';

/** More than this many missed posts are paged from the REST timeline after a catch-up. */
const SYNC_PAGE_LIMIT = 100;

/**
 * The signed-in page: the composer, the home timeline kept live, the fan-out of the reader's
 * latest post, and following. It owns the live connection and fills every gap it leaves.
 */
export class SignedInPage {
  readonly element: HTMLElement;
  private readonly connection = h('span', { class: 'connection', 'data-testid': 'connection', role: 'status' }, 'connecting…');
  private readonly timeline: TimelineView;
  private readonly composer: Composer;
  private readonly fanout: FanoutPanel;
  private readonly follows: FollowPanel;
  private readonly relationsPanel: RelationsPanel;
  private readonly relations: Relations;
  private readonly postActions: PostActions;
  private live: LiveFeed | null = null;
  private social = false;
  private syncing: Promise<void> = Promise.resolve();
  private clock: number | undefined;

  constructor(
    private readonly api: Api,
    private readonly session: Session,
    private readonly signOut: (message?: string) => void,
  ) {
    const me = session.user;
    this.relations = new Relations(api, me.username);
    this.postActions = this.actions();
    this.timeline = new TimelineView((cursor) => this.page(cursor), (post) => renderPost(post, this.postActions));
    this.composer = new Composer((text, key, replyToId) => this.write(text, key, replyToId));
    this.fanout = new FanoutPanel((id) => api.fanout(id));
    this.follows = new FollowPanel({
      follow: (username, reposts) => this.follow(username, true, reposts),
      unfollow: (username) => this.follow(username, false),
      social: () => this.social,
    });
    this.relationsPanel = new RelationsPanel((kind) => this.relations.list(kind), (kind, username) => this.relate(kind, username, false));
    this.element = h('div', { class: 'page' },
      h('header', { class: 'topbar' },
        h('span', { class: 'brand' }, 'feed-fanout'),
        h('span', { class: 'connection-label' }, 'Live feed: ', this.connection),
        h('span', { class: 'me' }, `${me.displayName} (@${me.username})`),
        h('button', { type: 'button', class: 'secondary', onclick: () => this.signOut() }, 'Sign out')),
      h('div', { class: 'columns' },
        h('main', { class: 'main-column' }, this.composer.element, this.timeline.element),
        h('aside', { class: 'side-column' }, this.fanout.element, this.follows.element, this.relationsPanel.element)));
  }

  async start(): Promise<void> {
    // Relative times ("5m") stay right while the page is open.
    this.clock = window.setInterval(() => {
      for (const time of this.element.querySelectorAll('time')) time.textContent = relativeTime(time.dateTime);
    }, 30_000);
    void this.relations.loadFollowing().catch(() => undefined);
    await this.timeline.loadFirst();
    const mine = this.timeline.posts().find((post) => post.author.id === this.session.user.id && !post.repostOf);
    if (mine) this.fanout.track(mine.id);
    this.live = await LiveFeed.open(this.session.accessToken, {
      state: (state) => this.showState(state),
      connected: () => this.catchUp(),
      post: (post) => this.arrived([post]),
      deleted: (id) => this.timeline.remove(id),
      unauthorized: () => this.signOut(SIGNED_OUT),
    });
  }

  stop(): void {
    window.clearInterval(this.clock);
    this.live?.close();
    this.fanout.stop();
    this.timeline.dispose();
  }

  private async page(cursor?: string) {
    const page = await this.api.home({ cursor });
    this.noticeVersion(page.items);
    return page;
  }

  private showState(state: ConnectionState): void {
    this.connection.textContent = state === 'connecting' || state === 'reconnecting' ? `${state}…` : state;
    this.connection.dataset.state = state.replace(/ /g, '-');
  }

  /**
   * After every (re)connection: what arrived while the page was not connected, oldest to newest,
   * each once. One catch-up at a time; an empty timeline is simply read again.
   */
  private catchUp(): void {
    this.syncing = this.syncing.then(async () => {
      const since = this.timeline.newestId();
      if (since === null) return this.timeline.loadFirst();
      try {
        const answer = await this.live!.sync(since);
        let missed = answer.items;
        if (answer.hasMore ?? missed.length >= SYNC_PAGE_LIMIT) missed = await this.pageSince(since);
        this.arrived(missed);
      } catch {
        // The socket's answer did not come: the REST timeline has the same posts.
        this.arrived(await this.pageSince(since).catch(() => []));
      }
    }).catch(() => undefined);
  }

  /** Every post newer than `since`, from the REST timeline, page by page. */
  private async pageSince(since: string): Promise<Post[]> {
    const posts: Post[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.api.home({ since, cursor, limit: 100 });
      posts.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return posts;
  }

  private arrived(posts: Post[]): void {
    this.noticeVersion(posts);
    const me = this.session.user.id;
    this.timeline.addNew(posts, posts.some((post) => post.author.id === me && !post.repostOf));
  }

  /** Replies, reposts, blocks and mutes are shown once posts carry the fields of version 2. */
  private noticeVersion(posts: Post[]): void {
    if (this.social || !posts.some((post) => 'repostOf' in post)) return;
    this.social = true;
    this.follows.refresh();
    this.timeline.redraw();
    void this.relations.loadRelations().then(() => this.relationsPanel.render(), () => undefined);
  }

  private async write(text: string, key: string, replyToId?: string): Promise<Post> {
    const post = await this.api.createPost(text, key, replyToId);
    this.arrived([post]);
    this.fanout.track(post.id);
    return post;
  }

  private async follow(username: string, on: boolean, reposts?: boolean): Promise<void> {
    if (on) {
      await this.api.follow(username, { reposts });
      this.relations.setFollowing(username, true);
      // Their recent posts join the home timeline in the background; show them now.
      const recent = await this.api.postsOf(username);
      this.noticeVersion(recent.items);
      this.timeline.addOlder(recent.items);
    } else {
      await this.api.unfollow(username);
      this.relations.setFollowing(username, false);
      const name = username.toLowerCase();
      this.timeline.removeWhere((post) => post.author.username.toLowerCase() === name);
    }
    this.timeline.redraw();
  }

  private async relate(kind: Relation, username: string, on: boolean): Promise<void> {
    await this.api.setRelation(kind, username, on);
    this.relations.set(kind, username, on);
    if (kind === 'block') this.relations.setFollowing(username, false);
    if (on) {
      const name = username.toLowerCase();
      this.timeline.removeWhere((post) => post.author.username.toLowerCase() === name || original(post).author.username.toLowerCase() === name);
    }
    this.relationsPanel.render();
  }

  private actions(): PostActions {
    return {
      me: this.session.user,
      social: () => this.social,
      following: (username) => this.relations.isFollowing(username),
      related: (kind, username) => this.relations.is(kind, username),
      delete: async (post) => {
        await this.api.deletePost(post.id);
        this.timeline.remove(post.id);
      },
      follow: (author: Author, on: boolean) => this.follow(author.username, on),
      relate: (kind, author, on) => this.relate(kind, author.username, on),
      reply: (post) => this.composer.replyingTo(post),
      repost: async (post) => {
        this.arrived([await this.api.repost(post.id)]);
      },
      undoRepost: async (post) => {
        await this.api.undoRepost(original(post).id);
        this.timeline.remove(post.id);
      },
      load: (id) => this.api.post(id),
      replies: (post, cursor) => this.api.replies(post.id, cursor),
    };
  }
}
