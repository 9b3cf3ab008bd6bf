import { h, uniqueId } from './dom.js';
import { Notice } from './notice.js';
import { MAX_POST_LENGTH, postLength } from './text.js';
import type { Post } from './types.js';

/** Within this many characters of the limit, the count is shown as a warning. */
const WARN_AT = MAX_POST_LENGTH - 20;

/**
 * The post box: a live count of what the API will count (code points after trimming), Ctrl+Enter
 * to send, and an Idempotency-Key per text, so sending again after a lost answer never posts twice.
 */
export class Composer {
  readonly element: HTMLFormElement;
  private readonly textarea: HTMLTextAreaElement;
  private readonly counter = h('span', { class: 'counter', 'aria-live': 'off' });
  private readonly submit = h('button', { type: 'submit', 'data-testid': 'compose-submit' }, 'Post');
  private readonly replyBanner = h('div', { class: 'reply-banner', hidden: true });
  private readonly notice = new Notice();
  private replyTo: Post | null = null;
  private key = newKey();
  private keyText = '';
  private busy = false;

  constructor(private readonly send: (text: string, key: string, replyToId?: string) => Promise<Post>) {
    const inputId = uniqueId('compose');
    const counterId = uniqueId('count');
    this.counter.id = counterId;
    this.textarea = h('textarea', {
      id: inputId, 'data-testid': 'compose-text', rows: 3, placeholder: 'What is happening?', 'aria-describedby': counterId,
    });
    this.textarea.addEventListener('input', () => this.update());
    this.textarea.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        this.element.requestSubmit();
      }
    });
    this.element = h('form', { class: 'composer', 'aria-label': 'Write a post' },
      h('label', { for: inputId }, 'Write a post'),
      this.replyBanner,
      this.textarea,
      h('div', { class: 'composer-row' }, this.counter, this.submit),
      this.notice.element);
    this.element.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.post();
    });
    this.update();
  }

  /** Starts a reply to this post (or a plain post again with null). */
  replyingTo(post: Post | null): void {
    this.replyTo = post;
    this.replyBanner.hidden = post === null;
    if (post) {
      const excerpt = [...post.text].slice(0, 60).join('') + (postLength(post.text) > 60 ? '…' : '');
      this.replyBanner.replaceChildren(
        h('span', {}, `Replying to @${post.author.username}: “${excerpt}”`),
        h('button', { type: 'button', class: 'link', onclick: () => this.replyingTo(null) }, 'Cancel reply'),
      );
      this.textarea.focus();
    }
  }

  private update(): void {
    const length = postLength(this.textarea.value);
    this.counter.textContent = `${length} / ${MAX_POST_LENGTH}`;
    this.counter.className = length > MAX_POST_LENGTH ? 'counter over' : length > WARN_AT ? 'counter near' : 'counter';
    this.counter.title = length > MAX_POST_LENGTH ? `${length - MAX_POST_LENGTH} characters too many` : '';
    this.submit.disabled = this.busy || length === 0 || length > MAX_POST_LENGTH;
  }

  private async post(): Promise<void> {
    const text = this.textarea.value.trim();
    if (this.busy || postLength(text) === 0 || postLength(text) > MAX_POST_LENGTH) return;
    // The same text keeps its key: a retry after a lost answer is recognised by the server.
    if (text !== this.keyText) {
      this.key = newKey();
      this.keyText = text;
    }
    this.busy = true;
    this.update();
    this.notice.clear();
    try {
      await this.send(text, this.key, this.replyTo?.id);
      this.textarea.value = '';
      this.keyText = '';
      this.replyingTo(null);
    } catch (error) {
      // The text stays for another try; during a rate limit's countdown the button stays off.
      await this.notice.error(error);
    } finally {
      this.busy = false;
      this.update();
    }
  }
}

/** A random key; crypto.randomUUID needs a secure context, getRandomValues does not. */
function newKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
