import type { Socket } from 'socket.io';

/** setTimeout's longest delay (about 24.8 days); a later expiry is reached in steps. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * Disconnects the socket when its token expires (API.md): a socket must not outlive the token it
 * was opened with. The client sees `disconnect` with the reason `io server disconnect`, after which
 * Socket.IO does not reconnect by itself; connecting again with the old token is `unauthorized`.
 * Returns the cancel for a socket that leaves first.
 */
export function disconnectAtExpiry(socket: Socket, expiresAt: number): () => void {
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    const left = expiresAt - Date.now();
    if (left <= 0) {
      socket.disconnect(true);
      return;
    }
    timer = setTimeout(arm, Math.min(left, MAX_TIMER_MS));
    timer.unref();
  };
  arm();
  return () => clearTimeout(timer);
}
