import { ApiError, NetworkError } from './api.js';
import { plural } from './text.js';

export const SIGNED_OUT = 'You have been signed out: your session has expired. Sign in again.';

/**
 * What to tell a person when something failed: never the raw answer. `secondsLeft` overrides
 * Retry-After for a countdown that is still running.
 */
export function describeError(error: unknown, secondsLeft?: number): string {
  if (error instanceof NetworkError) return 'The server cannot be reached. Check your connection, then try again.';
  if (!(error instanceof ApiError)) return 'Something went wrong in this page. Reload it and try again.';
  switch (error.status) {
    case 401:
      return error.sessionEnded ? SIGNED_OUT : sentence(error.message);
    case 413:
      return 'That is too large to send.';
    case 429: {
      const wait = secondsLeft ?? error.retryAfterSeconds;
      return wait === null || wait <= 0
        ? 'Too many requests. Wait a moment, then try again.'
        : `Too many requests. Try again in ${plural(wait, 'second', 'seconds')}.`;
    }
    case 503:
      return 'The service is temporarily unavailable. Nothing was lost; try again in a moment.';
    default:
      // 4xx messages are written for people ("user \"bob\" not found"); 5xx ones are not useful.
      return error.status >= 500 ? 'Something went wrong on the server. Try again later.' : sentence(error.message);
  }
}

/** Seconds to wait before retrying, when the error says so. */
export function retryDelay(error: unknown): number | null {
  return error instanceof ApiError && error.status === 429 ? (error.retryAfterSeconds ?? 1) : null;
}

function sentence(message: string): string {
  const text = message.trim();
  if (!text) return 'That did not work.';
  const capitalized = text[0].toUpperCase() + text.slice(1);
  return /[.!?]$/.test(capitalized) ? capitalized : `${capitalized}.`;
}
