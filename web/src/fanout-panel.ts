import { ApiError } from './api.js';
import { describeError, retryDelay } from './errors.js';
import { h } from './dom.js';
import { formatNumber, plural } from './text.js';
import type { FanoutStatus } from './types.js';

const FIRST_POLL_MS = 250;
const MAX_POLL_MS = 3_000;

/**
 * The fan-out of the reader's latest post, followed until it is done: how many followers it has
 * reached, in what state, and how long it took. Polled, with a growing interval.
 */
export class FanoutPanel {
  readonly element: HTMLElement;
  private readonly state = h('strong', { 'data-testid': 'fanout-state' });
  private readonly progress = h('progress', { max: 1, value: 0, 'aria-label': 'Followers reached' });
  private readonly detail = h('p', { class: 'fanout-detail' });
  private postId: string | null = null;
  private timer: number | undefined;

  constructor(private readonly load: (postId: string) => Promise<FanoutStatus>) {
    this.element = h('section', { class: 'panel fanout', 'aria-labelledby': 'fanout-title', 'data-testid': 'fanout', hidden: true },
      h('h2', { id: 'fanout-title' }, 'Your latest post'),
      h('p', { 'aria-live': 'polite' }, 'Fan-out: ', this.state),
      this.progress,
      this.detail);
  }

  track(postId: string): void {
    this.stop();
    this.postId = postId;
    this.element.hidden = false;
    this.state.textContent = 'pending';
    this.detail.textContent = 'Waiting for a worker…';
    this.progress.value = 0;
    void this.poll(postId, FIRST_POLL_MS);
  }

  stop(): void {
    window.clearTimeout(this.timer);
    this.postId = null;
  }

  private async poll(postId: string, interval: number): Promise<void> {
    let next = Math.min(interval * 1.5, MAX_POLL_MS);
    try {
      const status = await this.load(postId);
      if (this.postId !== postId) return;
      this.show(status);
      if (status.state === 'done' || status.state === 'skipped') return;
    } catch (error) {
      if (this.postId !== postId) return;
      if (error instanceof ApiError && (error.status === 404 || error.status === 401)) {
        this.state.textContent = error.status === 404 ? 'deleted' : 'unknown';
        this.detail.textContent = error.status === 404 ? 'This post has been deleted.' : describeError(error);
        return;
      }
      this.detail.textContent = describeError(error);
      next = Math.max(next, (retryDelay(error) ?? 0) * 1000);
    }
    this.timer = window.setTimeout(() => void this.poll(postId, next), next);
  }

  private show(status: FanoutStatus): void {
    this.state.textContent = status.state;
    this.progress.max = Math.max(status.followers, 1);
    this.progress.value = status.state === 'done' ? this.progress.max : status.delivered;
    switch (status.state) {
      case 'pending':
        this.detail.textContent = 'Waiting for a worker…';
        break;
      case 'running':
        this.detail.textContent = `Delivered to ${formatNumber(status.delivered)} of ${plural(status.followers, 'follower', 'followers')}…`;
        break;
      case 'done':
        this.detail.textContent = `Delivered to ${plural(status.followers, 'follower', 'followers')}` +
          (status.delayMs === null ? '.' : ` in ${formatNumber(status.delayMs)} ms.`);
        break;
      case 'skipped':
        this.progress.value = this.progress.max;
        this.detail.textContent = `You have ${plural(status.followers, 'follower', 'followers')}: rather than copying the post ` +
          'into every timeline, it is merged in when they read them, and pushed live to those online.';
        break;
    }
  }
}
