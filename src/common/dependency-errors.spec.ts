import { QueryFailedError } from 'typeorm';
import { fromPostgres, isDependencyDown } from './dependency-errors';

/** A driver error as pg raises it: a message and a SQLSTATE. */
function pgError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code, severity: 'ERROR' });
}

const queryFailed = (driverError: Error) => new QueryFailedError('SELECT 1', [], driverError);

function socketError(code: string, port: number): Error {
  return Object.assign(new Error(`connect ${code} 127.0.0.1:${port}`), { code, errno: -111, syscall: 'connect', port });
}

describe('isDependencyDown', () => {
  it('calls a statement cut by statement_timeout a PostgreSQL outage (503), not a bug', () => {
    expect(isDependencyDown(queryFailed(pgError('57014', 'canceling statement due to statement timeout')))).toBe('PostgreSQL');
  });

  it('calls too many connections, shutdown and start-up PostgreSQL outages', () => {
    expect(isDependencyDown(pgError('53300', 'sorry, too many clients already'))).toBe('PostgreSQL');
    expect(isDependencyDown(pgError('53300', 'too many connections for database "feed"'))).toBe('PostgreSQL');
    expect(isDependencyDown(queryFailed(pgError('57P01', 'terminating connection due to administrator command')))).toBe('PostgreSQL');
    expect(isDependencyDown(pgError('57P03', 'the database system is starting up'))).toBe('PostgreSQL');
    expect(isDependencyDown(pgError('08006', 'connection failure'))).toBe('PostgreSQL');
  });

  it('knows a socket error thrown by the Database layer is PostgreSQL, whatever the port', () => {
    expect(isDependencyDown(fromPostgres(socketError('ECONNREFUSED', 40123)))).toBe('PostgreSQL');
    expect(isDependencyDown(fromPostgres(socketError('ECONNRESET', 40123)))).toBe('PostgreSQL');
    expect(isDependencyDown(fromPostgres(queryFailed(socketError('ECONNRESET', 40123))))).toBe('PostgreSQL');
    expect(isDependencyDown(fromPostgres(new Error('Connection terminated unexpectedly')))).toBe('PostgreSQL');
    expect(isDependencyDown(fromPostgres(new Error('Client has encountered a connection error and is not queryable')))).toBe('PostgreSQL');
    expect(isDependencyDown(fromPostgres(new Error('timeout exceeded when trying to connect')))).toBe('PostgreSQL');
  });

  it('leaves errors that are the request’s or a bug’s alone, from PostgreSQL or not', () => {
    expect(isDependencyDown(queryFailed(pgError('23505', 'duplicate key value violates unique constraint')))).toBeNull();
    expect(isDependencyDown(fromPostgres(queryFailed(pgError('22P02', 'invalid input syntax for type bigint'))))).toBeNull();
    expect(isDependencyDown(fromPostgres(new TypeError('x is undefined')))).toBeNull();
    expect(isDependencyDown(socketError('ECONNREFUSED', 40123))).toBeNull();
    expect(isDependencyDown(undefined)).toBeNull();
  });

  it('still names Redis for the Redis client’s errors', () => {
    expect(isDependencyDown(new Error('Connection is closed.'))).toBe('Redis');
    expect(isDependencyDown(socketError('ECONNREFUSED', 6379))).toBe('Redis');
  });

  it.each([
    'CLUSTERDOWN The cluster is down',
    'CLUSTERDOWN Hash slot not served',
    'Too many Cluster redirections. Last error: Error: Connection is closed.',
    'Failed to refresh slots cache.',
    'None of startup nodes is available',
    "Cluster isn't ready and enableOfflineQueue options is false",
    "Stream isn't writeable and enableOfflineQueue options is false",
  ])('names Redis for a Redis Cluster outage: %s', (message) => {
    expect(isDependencyDown(new Error(message))).toBe('Redis');
  });

  it('does not call a cluster pipeline across masters an outage: that is a bug', () => {
    expect(isDependencyDown(new Error('All keys in the pipeline should belong to the same slots allocation group'))).toBeNull();
  });
});
