import { h } from './dom.js';
import { Notice } from './notice.js';
import { plural } from './text.js';
import { compareIds, type Page, type Post } from './types.js';

/** How close to the end of the list an older page starts loading. */
const PRELOAD_MARGIN = '600px';

/**
 * The home timeline on screen: posts newest first, each once, whatever way it arrived (a page,
 * a live push, a catch-up after a reconnect). A post that arrives while the reader is scrolled
 * down waits behind a "N new posts" bar instead of moving what they are reading.
 */
export class TimelineView {
  readonly element: HTMLElement;
  private readonly list = h('ol', { class: 'timeline', 'data-testid': 'timeline', 'aria-label': 'Home timeline' });
  private readonly newPostsBar = h('button', { type: 'button', class: 'new-posts', hidden: true, onclick: () => this.showNewPosts(true) });
  private readonly footer = h('p', { class: 'timeline-end', 'aria-live': 'polite' });
  private readonly olderButton = h('button', { type: 'button', class: 'secondary', onclick: () => void this.loadOlder() }, 'Load older posts');
  private readonly notice = new Notice();
  private readonly shown = new Map<string, { post: Post; element: HTMLElement }>();
  private readonly waiting = new Map<string, Post>();
  /** undefined: nothing loaded yet; null: the oldest post is shown. */
  private cursor: string | null | undefined;
  private loading = false;
  private readonly observer: IntersectionObserver;

  constructor(
    private readonly loadPage: (cursor?: string) => Promise<Page<Post>>,
    private readonly render: (post: Post) => HTMLElement,
  ) {
    const sentinel = h('div', { class: 'sentinel', 'aria-hidden': 'true' });
    this.element = h('section', { class: 'timeline-section', 'aria-label': 'Your home timeline' },
      this.newPostsBar, this.list, sentinel, this.notice.element, this.footer, this.olderButton);
    this.observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting)) void this.loadOlder();
    }, { rootMargin: PRELOAD_MARGIN });
    this.observer.observe(sentinel);
    window.addEventListener('scroll', this.onScroll, { passive: true });
    this.updateFooter();
  }

  /** The newest post the page knows of, for a catch-up after a reconnect. */
  newestId(): string | null {
    let newest: string | null = null;
    for (const id of [...this.shown.keys(), ...this.waiting.keys()]) if (newest === null || compareIds(id, newest) > 0) newest = id;
    return newest;
  }

  async loadFirst(): Promise<void> {
    this.cursor = undefined;
    this.shown.clear();
    this.waiting.clear();
    this.list.replaceChildren();
    await this.loadOlder();
  }

  async loadOlder(): Promise<void> {
    if (this.loading || this.cursor === null) return;
    this.loading = true;
    this.updateFooter();
    try {
      const page = await this.loadPage(this.cursor);
      for (const post of page.items) if (!this.shown.has(post.id)) this.appendAtEnd(post);
      this.cursor = page.nextCursor;
      this.notice.clear();
    } catch (error) {
      await this.notice.error(error);
    } finally {
      this.loading = false;
      this.updateFooter();
    }
  }

  /**
   * New posts, from the live feed or a catch-up: shown at once when the reader is at the top (or
   * when `atOnce`, for their own post), otherwise counted in the "new posts" bar.
   */
  addNew(posts: Post[], atOnce = false): void {
    for (const post of posts) {
      if (this.shown.has(post.id)) continue;
      this.waiting.set(post.id, post);
    }
    if (atOnce || this.readerAtTop()) this.showNewPosts(false);
    else this.updateNewPostsBar();
  }

  /**
   * Posts that joined the timeline in the past (a new followee's recent posts): shown where they
   * belong, unless older than what is shown, where the next page brings them.
   */
  addOlder(posts: Post[]): void {
    const oldestShown = this.list.lastElementChild?.getAttribute('data-post-id');
    for (const post of posts) {
      if (this.shown.has(post.id)) continue;
      if (this.cursor !== null && oldestShown && compareIds(post.id, oldestShown) < 0) continue;
      this.insertInOrder(post);
    }
    this.updateFooter();
  }

  remove(id: string): void {
    this.waiting.delete(id);
    const entry = this.shown.get(id);
    if (entry) {
      entry.element.remove();
      this.shown.delete(id);
    }
    this.updateNewPostsBar();
    this.updateFooter();
  }

  /** Removes every post matching, shown or waiting (after an unfollow, a block, a mute). */
  removeWhere(matches: (post: Post) => boolean): void {
    for (const [id, post] of [...this.waiting]) if (matches(post)) this.waiting.delete(id);
    for (const [id, entry] of [...this.shown]) if (matches(entry.post)) this.remove(id);
    this.updateNewPostsBar();
  }

  /** Draws every post again (a change that affects how posts look, such as a follow). */
  redraw(): void {
    for (const [id, entry] of this.shown) {
      const element = this.render(entry.post);
      entry.element.replaceWith(element);
      this.shown.set(id, { post: entry.post, element });
    }
  }

  posts(): Post[] {
    return [...this.shown.values()].map((entry) => entry.post);
  }

  dispose(): void {
    this.observer.disconnect();
    window.removeEventListener('scroll', this.onScroll);
  }

  private readonly onScroll = (): void => {
    if (this.waiting.size > 0 && this.readerAtTop()) this.showNewPosts(false);
  };

  private readerAtTop(): boolean {
    return this.list.getBoundingClientRect().top >= 0;
  }

  private showNewPosts(scrollToThem: boolean): void {
    const newest = [...this.waiting.values()].sort((a, b) => compareIds(b.id, a.id));
    this.waiting.clear();
    for (const post of newest.reverse()) this.insertInOrder(post);
    this.updateNewPostsBar();
    this.updateFooter();
    if (scrollToThem) {
      this.list.scrollIntoView({ block: 'start' });
      this.list.querySelector<HTMLElement>('[data-testid="post"] article')?.focus();
    }
  }

  private updateNewPostsBar(): void {
    const count = this.waiting.size;
    this.newPostsBar.hidden = count === 0;
    this.newPostsBar.textContent = `Show ${plural(count, 'new post', 'new posts')}`;
  }

  private appendAtEnd(post: Post): void {
    const element = this.render(post);
    this.shown.set(post.id, { post, element });
    this.list.append(element);
  }

  private insertInOrder(post: Post): void {
    const element = this.render(post);
    this.shown.set(post.id, { post, element });
    // Mostly the newest: the first child that is older is found at once.
    let before: Element | null = this.list.firstElementChild;
    while (before && compareIds(before.getAttribute('data-post-id') ?? '0', post.id) > 0) before = before.nextElementSibling;
    this.list.insertBefore(element, before);
  }

  private updateFooter(): void {
    this.olderButton.hidden = this.cursor === null || this.loading;
    if (this.loading) this.footer.textContent = 'Loading…';
    else if (this.cursor === null) {
      this.footer.textContent = this.shown.size === 0
        ? 'Nothing here yet. Follow someone, or write the first post.'
        : 'You have reached the beginning of your timeline.';
    } else this.footer.textContent = '';
  }
}
