import type { Relation } from './api.js';
import { h, replaceChildren, uniqueId } from './dom.js';
import { Notice } from './notice.js';
import { fullTime, relativeTime } from './text.js';
import { original, type Author, type Page, type Post, type User } from './types.js';

/** What a post on screen can do, and what it needs to know about the reader. */
export interface PostActions {
  me: User;
  /** Replies, reposts, blocks and mutes: shown once the API is seen to have them. */
  social(): boolean;
  /** undefined while not known. */
  following(username: string): boolean | undefined;
  related(kind: Relation, username: string): boolean | undefined;
  delete(post: Post): Promise<void>;
  follow(author: Author, on: boolean): Promise<void>;
  relate(kind: Relation, author: Author, on: boolean): Promise<void>;
  reply(post: Post): void;
  repost(post: Post): Promise<void>;
  undoRepost(post: Post): Promise<void>;
  load(id: string): Promise<Post>;
  replies(post: Post, cursor?: string): Promise<Page<Post>>;
}

/** One post of the timeline: `data-testid="post"` with its id, as the contract says. */
export function renderPost(post: Post, actions: PostActions): HTMLElement {
  const shown = original(post);
  const notice = new Notice();
  const headingId = uniqueId('post');
  const article = h('article', { 'aria-labelledby': headingId, tabindex: '-1' },
    post.repostOf ? h('p', { class: 'repost-note' }, `Reposted by ${post.author.displayName} (@${post.author.username})`) : null,
    h('header', { class: 'post-header' },
      h('span', { id: headingId, class: 'post-author' },
        h('strong', {}, shown.author.displayName), ' ', h('span', { class: 'handle' }, `@${shown.author.username}`)),
      h('time', { datetime: shown.createdAt, title: fullTime(shown.createdAt) }, relativeTime(shown.createdAt)),
      shown.author.id === actions.me.id ? null : authorMenu(shown.author, actions, notice)),
    shown.replyTo ? replyNote(shown.replyTo, actions, notice) : null,
    h('p', { class: 'post-text' }, shown.text),
    postActions(post, actions, notice),
    notice.element);
  return h('li', { class: 'post', 'data-testid': 'post', 'data-post-id': post.id }, article);
}

function postActions(post: Post, actions: PostActions, notice: Notice): HTMLElement {
  const shown = original(post);
  const footer = h('footer', { class: 'post-actions' });
  if (actions.social()) {
    footer.append(button('Reply', async () => actions.reply(shown), notice, `Reply to @${shown.author.username}`));
    if (post.repostOf && post.author.id === actions.me.id) {
      footer.append(button('Undo repost', () => actions.undoRepost(post), notice));
    } else if (shown.author.id !== actions.me.id) {
      footer.append(button('Repost', () => actions.repost(shown), notice, `Repost @${shown.author.username}’s post`));
    }
    footer.append(repliesToggle(shown, actions, notice));
  }
  if (!post.repostOf && post.author.id === actions.me.id) footer.append(deleteButton(post, actions, notice));
  return footer;
}

/** Delete asks once more before it acts: a click is easy to make by mistake. */
function deleteButton(post: Post, actions: PostActions, notice: Notice): HTMLButtonElement {
  let armed: number | undefined;
  const element = button('Delete', async () => {
    if (armed === undefined) {
      element.textContent = 'Delete for good?';
      armed = window.setTimeout(() => {
        armed = undefined;
        element.textContent = 'Delete';
      }, 4000);
      return;
    }
    window.clearTimeout(armed);
    armed = undefined;
    element.textContent = 'Delete';
    await actions.delete(post);
  }, notice);
  element.classList.add('danger');
  return element;
}

function authorMenu(author: Author, actions: PostActions, notice: Notice): HTMLElement {
  const items = h('div', { class: 'menu-items' });
  const menu = h('details', { class: 'menu' },
    h('summary', { 'aria-label': `Actions for @${author.username}`, title: `Actions for @${author.username}` }, '⋯'),
    items);
  // Built when opened, so it says what is true now (a follow made elsewhere on the page).
  menu.addEventListener('toggle', () => {
    if (!menu.open) return;
    const following = actions.following(author.username);
    replaceChildren(items,
      following !== true ? button(`Follow @${author.username}`, () => actions.follow(author, true), notice) : null,
      following !== false ? button(`Unfollow @${author.username}`, () => actions.follow(author, false), notice) : null,
      ...(actions.social()
        ? (['mute', 'block'] as const).map((kind) => {
            const on = actions.related(kind, author.username) !== true;
            return button(`${on ? capitalize(kind) : `Un${kind}`} @${author.username}`, () => actions.relate(kind, author, on), notice);
          })
        : []),
    );
  });
  return menu;
}

function replyNote(replyTo: { id: string; author: Author }, actions: PostActions, notice: Notice): HTMLElement {
  const quoted = h('div', { class: 'quoted', hidden: true });
  const show = button('Show', async () => {
    try {
      const post = await actions.load(replyTo.id);
      quoted.replaceChildren(h('p', { class: 'handle' }, `@${post.author.username}`), h('p', { class: 'post-text' }, post.text));
    } catch (error) {
      if ((error as { status?: number }).status !== 404) throw error;
      quoted.replaceChildren(h('p', {}, 'That post has been deleted.'));
    }
    quoted.hidden = false;
    show.remove();
  }, notice, `Show the post by @${replyTo.author.username} this replies to`);
  return h('div', { class: 'reply-note' }, h('p', {}, `Replying to @${replyTo.author.username} `, show), quoted);
}

function repliesToggle(post: Post, actions: PostActions, notice: Notice): HTMLElement {
  const list = h('ol', { class: 'replies', 'aria-label': `Replies to @${post.author.username}` });
  let cursor: string | null | undefined;
  const more = button('Show replies', async () => {
    const page = await actions.replies(post, cursor ?? undefined);
    for (const reply of page.items) {
      list.append(h('li', {}, h('span', { class: 'handle' }, `@${reply.author.username}`), ' ', h('span', { class: 'post-text' }, reply.text)));
    }
    cursor = page.nextCursor;
    if (cursor === null) {
      if (list.childElementCount === 0) list.append(h('li', {}, 'No replies yet.'));
      more.remove();
    } else more.textContent = 'More replies';
  }, notice);
  return h('div', { class: 'replies-block' }, more, list);
}

/** A button that runs its action once at a time and says in words what went wrong. */
export function button(label: string, run: () => Promise<unknown> | void, notice: Notice, ariaLabel?: string): HTMLButtonElement {
  const element = h('button', { type: 'button', class: 'link', 'aria-label': ariaLabel }, label);
  element.addEventListener('click', async () => {
    if (element.disabled) return;
    element.disabled = true;
    notice.clear();
    try {
      await run();
    } catch (error) {
      await notice.error(error);
    } finally {
      element.disabled = false;
    }
  });
  return element;
}

function capitalize(word: string): string {
  return word[0].toUpperCase() + word.slice(1);
}
