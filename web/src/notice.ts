import { describeError, retryDelay } from './errors.js';
import { h } from './dom.js';

/**
 * A message line for a part of the page (a form, a panel): errors in words, and for a rate limit
 * a countdown to when trying again makes sense.
 */
export class Notice {
  readonly element = h('p', { class: 'notice', role: 'status', 'aria-live': 'polite', hidden: true });
  private timer: number | undefined;
  private countdownOver: (() => void) | undefined;

  info(text: string): void {
    this.show(text, 'info');
  }

  /** Shows the error; resolves when a rate limit's wait is over (at once for other errors). */
  error(error: unknown): Promise<void> {
    this.stopCountdown();
    let seconds = retryDelay(error);
    this.show(describeError(error), 'error');
    if (seconds === null) return Promise.resolve();
    return new Promise((resolve) => {
      this.countdownOver = resolve;
      this.timer = window.setInterval(() => {
        seconds! -= 1;
        if (seconds! > 0) {
          this.element.textContent = describeError(error, seconds!);
          return;
        }
        this.clear();
      }, 1000);
    });
  }

  clear(): void {
    this.stopCountdown();
    this.element.hidden = true;
    this.element.textContent = '';
  }

  private show(text: string, kind: 'info' | 'error'): void {
    this.element.textContent = text;
    this.element.className = `notice notice-${kind}`;
    this.element.setAttribute('role', kind === 'error' ? 'alert' : 'status');
    this.element.hidden = false;
  }

  /** Ends a countdown; whoever waits on it goes on (a newer message replaced it). */
  private stopCountdown(): void {
    window.clearInterval(this.timer);
    this.timer = undefined;
    const over = this.countdownOver;
    this.countdownOver = undefined;
    over?.();
  }
}
