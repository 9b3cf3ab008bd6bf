import type { Api } from './api.js';
import { h } from './dom.js';
import { Notice } from './notice.js';
import type { Session } from './types.js';

/** Sign in, or create an account: one form, two buttons. */
export function renderAuth(api: Api, signedIn: (session: Session) => void, message?: string): HTMLElement {
  const notice = new Notice();
  const username = h('input', {
    id: 'auth-username', 'data-testid': 'auth-username', name: 'username', autocomplete: 'username',
    required: true, maxlength: 30, spellcheck: 'false', autocapitalize: 'none',
  });
  const password = h('input', {
    id: 'auth-password', 'data-testid': 'auth-password', name: 'password', type: 'password',
    autocomplete: 'current-password', required: true, maxlength: 128,
  });
  const displayName = h('input', { id: 'auth-display-name', name: 'displayName', autocomplete: 'name', maxlength: 50 });
  const login = h('button', { type: 'submit', 'data-testid': 'auth-login' }, 'Sign in');
  const register = h('button', { type: 'submit', class: 'secondary', 'data-testid': 'auth-register' }, 'Create account');
  const form = h('form', { class: 'auth', 'aria-labelledby': 'auth-title' },
    h('h1', { id: 'auth-title' }, 'Sign in to the feed'),
    h('p', { class: 'quiet' }, 'New here? Pick a username and a password, then “Create account”.'),
    h('label', { for: 'auth-username' }, 'Username'),
    username,
    h('p', { class: 'hint' }, '3 to 30 letters, digits or underscores.'),
    h('label', { for: 'auth-password' }, 'Password'),
    password,
    h('p', { class: 'hint' }, 'At least 8 characters.'),
    h('label', { for: 'auth-display-name' }, 'Display name ', h('span', { class: 'quiet' }, '(optional, for a new account)')),
    displayName,
    h('div', { class: 'row' }, login, register),
    notice.element);
  if (message) notice.info(message);

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const creating = (event as SubmitEvent).submitter === register;
    password.setAttribute('autocomplete', creating ? 'new-password' : 'current-password');
    for (const b of [login, register]) b.disabled = true;
    notice.clear();
    try {
      const session = creating
        ? await api.register(username.value.trim(), password.value, displayName.value.trim() || undefined)
        : await api.login(username.value.trim(), password.value);
      signedIn(session);
    } catch (error) {
      await notice.error(error);
    } finally {
      for (const b of [login, register]) b.disabled = false;
    }
  });
  return h('main', { class: 'auth-page' }, form);
}
