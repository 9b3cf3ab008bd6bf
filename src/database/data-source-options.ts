import { DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from '../../migrations';

/** The default of DATABASE_STATEMENT_TIMEOUT_MS. */
export const STATEMENT_TIMEOUT_MS = 15_000;

/** One definition of the connection, shared by the app and the TypeORM CLI. */
export function dataSourceOptions(databaseUrl: string, statementTimeoutMs = STATEMENT_TIMEOUT_MS): DataSourceOptions {
  return {
    type: 'postgres',
    url: databaseUrl,
    entities: [],
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    extra: {
      max: 20,
      connectionTimeoutMillis: 5_000,
      idleTimeoutMillis: 30_000,
      // Every statement is bounded: a stuck query (or one waiting on a lock) fails fast instead of
      // holding a request, and the request answers 503 (see dependency-errors.ts).
      statement_timeout: statementTimeoutMs,
      query_timeout: statementTimeoutMs + 5_000,
      application_name: 'feed-fanout',
    },
  };
}
