import type { Session } from './types.js';

const KEY = 'feed-fanout.session';

/** The token survives a reload: it is kept in this origin's localStorage. */
export function loadSession(): Session | null {
  try {
    const session = JSON.parse(localStorage.getItem(KEY) ?? 'null') as Session | null;
    return session && typeof session.accessToken === 'string' && typeof session.user?.username === 'string' ? session : null;
  } catch {
    return null;
  }
}

export function saveSession(session: Session): void {
  localStorage.setItem(KEY, JSON.stringify(session));
}

export function clearSession(): void {
  localStorage.removeItem(KEY);
}
