/** Set on errors thrown by the Database layer, so a bare socket error is known to be PostgreSQL's. */
const FROM_POSTGRES = Symbol('fromPostgres');

/** Socket errors: the peer is away, whichever it is. */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * SQLSTATEs that say PostgreSQL cannot serve now, not that the request is wrong: class 08
 * (connection exceptions), class 53 (insufficient resources: 53300 too many connections), 57014
 * (a statement cut by statement_timeout), 57P01-57P03 (shutting down, crashed, starting up).
 */
function isUnavailableSqlState(code: string | undefined): boolean {
  return !!code && /^(08...|53...|57014|57P0[1-3])$/.test(code);
}

/** Marks an error as thrown while talking to PostgreSQL (see Database); returns it. */
export function fromPostgres<T>(error: T): T {
  if (error && typeof error === 'object' && !Object.isFrozen(error) && !(FROM_POSTGRES in error)) {
    Object.defineProperty(error, FROM_POSTGRES, { value: true });
  }
  return error;
}

/** Names the dependency whose outage caused this error, or null when it is not an outage. */
export function isDependencyDown(error: unknown): 'PostgreSQL' | 'Redis' | null {
  if (!error || typeof error !== 'object') return null;
  const e = error as { name?: string; message?: string; code?: string; driverError?: unknown; [FROM_POSTGRES]?: boolean };
  const message = e.message ?? '';
  if (e.driverError) {
    // TypeORM's wrapper of the driver's error: what is known of the wrapper is known of what it wraps.
    const inner = e[FROM_POSTGRES] ? fromPostgres(e.driverError) : e.driverError;
    return isDependencyDown(inner) === 'PostgreSQL' || isUnavailableSqlState(e.code) ? 'PostgreSQL' : null;
  }
  if (isUnavailableSqlState(e.code)) return 'PostgreSQL';
  if (e[FROM_POSTGRES] && (SOCKET_CODES.has(e.code ?? '') || /not queryable|Connection terminated|timeout/i.test(message))) {
    return 'PostgreSQL';
  }
  if (
    /ECONNREFUSED.*5432|Connection terminated|connection timeout|timeout exceeded when trying to connect|Query read timeout|terminating connection|the database system is|too many clients|too many connections|canceling statement due to statement timeout/i.test(
      message,
    )
  ) {
    return 'PostgreSQL';
  }
  if (
    e.name === 'MaxRetriesPerRequestError' ||
    /Stream isn't writeable|Connection is closed|Command timed out|ECONNREFUSED.*6379|enableOfflineQueue|Reached the max retries/i.test(
      message,
    ) ||
    // A cluster with a master away: its slots answer CLUSTERDOWN, or the client runs out of
    // redirections or cannot find the slots again.
    /CLUSTERDOWN|Too many Cluster redirections|Failed to refresh slots cache|None of startup nodes is available|Cluster isn't ready|TRYAGAIN/.test(
      message,
    )
  ) {
    return 'Redis';
  }
  return null;
}
