import { h } from './dom.js';
import { Notice } from './notice.js';

export interface FollowPanelOptions {
  follow(username: string, reposts: boolean | undefined): Promise<void>;
  unfollow(username: string): Promise<void>;
  /** Version 2: a follow can keep the account's reposts out of the timeline. */
  social(): boolean;
}

/** Follow or unfollow someone by username. */
export class FollowPanel {
  readonly element: HTMLElement;
  private readonly input = h('input', {
    id: 'follow-username', 'data-testid': 'follow-username', name: 'username', autocomplete: 'off',
    spellcheck: 'false', required: true, maxlength: 30, pattern: '[A-Za-z0-9_]{3,30}', placeholder: 'username',
  });
  private readonly reposts = h('input', { type: 'checkbox', id: 'follow-reposts', checked: true });
  private readonly repostsRow = h('p', { class: 'checkbox', hidden: true }, this.reposts, h('label', { for: 'follow-reposts' }, ' Show their reposts'));
  private readonly notice = new Notice();
  private busy = false;

  constructor(private readonly options: FollowPanelOptions) {
    const form = h('form', { class: 'follow-form' },
      h('label', { for: 'follow-username' }, 'Username'),
      h('div', { class: 'row' },
        this.input,
        h('button', { type: 'submit', 'data-testid': 'follow-submit' }, 'Follow'),
        h('button', { type: 'button', class: 'secondary', 'data-testid': 'unfollow-submit', onclick: () => void this.run(false) }, 'Unfollow')),
      this.repostsRow);
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.run(true);
    });
    this.element = h('section', { class: 'panel', 'aria-labelledby': 'follow-title' },
      h('h2', { id: 'follow-title' }, 'Follow someone'), form, this.notice.element);
  }

  /** Shows what version 2 of the API adds, once it is seen. */
  refresh(): void {
    this.repostsRow.hidden = !this.options.social();
  }

  private async run(follow: boolean): Promise<void> {
    const username = this.input.value.trim().replace(/^@/, '');
    if (this.busy) return;
    if (!/^[A-Za-z0-9_]{3,30}$/.test(username)) {
      this.notice.info('A username is 3 to 30 letters, digits or underscores.');
      this.input.focus();
      return;
    }
    this.busy = true;
    this.notice.clear();
    try {
      if (follow) {
        await this.options.follow(username, this.options.social() ? this.reposts.checked : undefined);
        this.notice.info(`You follow @${username} now. Their recent posts join your timeline.`);
      } else {
        await this.options.unfollow(username);
        this.notice.info(`You no longer follow @${username}.`);
      }
      this.input.value = '';
    } catch (error) {
      await this.notice.error(error);
    } finally {
      this.busy = false;
    }
  }
}
