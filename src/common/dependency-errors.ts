/** Names the dependency whose outage caused this error, or null when it is not an outage. */
export function isDependencyDown(error: unknown): 'PostgreSQL' | 'Redis' | null {
  if (!error || typeof error !== 'object') return null;
  const e = error as { name?: string; message?: string; code?: string; driverError?: unknown };
  const message = e.message ?? '';
  if (e.driverError) return isDependencyDown(e.driverError) === 'PostgreSQL' ? 'PostgreSQL' : null;
  if (
    /ECONNREFUSED.*5432|Connection terminated|connection timeout|timeout exceeded when trying to connect|Query read timeout|terminating connection|the database system is/i.test(
      message,
    ) ||
    e.code === '57P01' ||
    e.code === '57P03' ||
    e.code === '08006' ||
    e.code === '08001'
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
