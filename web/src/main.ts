import { Api, ApiError } from './api.js';
import { SignedInPage } from './app.js';
import { renderAuth } from './auth-view.js';
import { SIGNED_OUT } from './errors.js';
import { clearSession, loadSession, saveSession } from './session.js';
import type { Session } from './types.js';

/** The page's entry point: the signed-in page when a saved session is still good, else the form. */
const root = document.getElementById('app')!;
const api = new Api();
let page: SignedInPage | null = null;

api.onSessionEnded = () => signOut(SIGNED_OUT);

function showAuth(message?: string): void {
  root.replaceChildren(renderAuth(api, signIn, message));
  document.getElementById('auth-username')?.focus();
}

function signIn(session: Session): void {
  saveSession(session);
  void open(session);
}

async function open(session: Session): Promise<void> {
  page?.stop();
  api.setToken(session.accessToken);
  page = new SignedInPage(api, session, signOut);
  root.replaceChildren(page.element);
  await page.start();
}

function signOut(message?: string): void {
  page?.stop();
  page = null;
  api.setToken(null);
  clearSession();
  showAuth(message);
}

async function boot(): Promise<void> {
  const saved = loadSession();
  if (!saved) return showAuth();
  api.setToken(saved.accessToken);
  try {
    // The saved profile may be stale (counts, display name): the page starts from the server's.
    const user = await api.me();
    signIn({ user, accessToken: saved.accessToken });
  } catch (error) {
    // A 401 has signed out already; anything else keeps the session for a later reload.
    if (!(error instanceof ApiError && error.sessionEnded)) void open(saved);
  }
}

void boot();
