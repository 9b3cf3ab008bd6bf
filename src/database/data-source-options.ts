import { DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from '../../migrations';

/** One definition of the connection, shared by the app and the TypeORM CLI. */
export function dataSourceOptions(databaseUrl: string): DataSourceOptions {
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
      // Every statement is bounded: a stuck query fails fast instead of holding a request.
      statement_timeout: 15_000,
      query_timeout: 20_000,
      application_name: 'feed-fanout',
    },
  };
}
