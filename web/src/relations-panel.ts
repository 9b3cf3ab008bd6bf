import type { Relation } from './api.js';
import { h } from './dom.js';
import { Notice } from './notice.js';
import { button } from './post-view.js';

const TITLES: Record<Relation, string> = { mute: 'Muted accounts', block: 'Blocked accounts' };

/** Version 2 of the API: the accounts the reader mutes and blocks, each with a way back. */
export class RelationsPanel {
  readonly element = h('section', { class: 'panel', 'aria-labelledby': 'relations-title', hidden: true });
  private readonly notice = new Notice();

  constructor(
    private readonly list: (kind: Relation) => string[],
    private readonly undo: (kind: Relation, username: string) => Promise<void>,
  ) {}

  render(): void {
    this.element.hidden = false;
    this.element.replaceChildren(
      h('h2', { id: 'relations-title' }, 'Muted and blocked'),
      ...(['mute', 'block'] as const).map((kind) => {
        const names = this.list(kind);
        return h('div', {},
          h('h3', {}, TITLES[kind]),
          names.length === 0
            ? h('p', { class: 'quiet' }, 'None.')
            : h('ul', { class: 'plain' }, ...names.map((name) =>
                h('li', {}, `@${name} `, button(`Un${kind}`, () => this.undo(kind, name), this.notice, `Un${kind} @${name}`)))));
      }),
      this.notice.element);
  }
}
