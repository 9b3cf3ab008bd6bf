import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from './data-source-options';
import { ensureDatabase } from './ensure-database';

// Any constant shared by every process of this service: two processes starting at once take
// turns applying migrations instead of racing on the same DDL.
const MIGRATION_LOCK = 728_311_001;

/** Creates the database if needed and applies pending migrations; safe to run from every process. */
export async function migrate(databaseUrl: string, logger = new Logger('Migrations')): Promise<void> {
  if (await ensureDatabase(databaseUrl)) {
    logger.log({ msg: 'created database', database: new URL(databaseUrl).pathname.slice(1) });
  }
  const dataSource = new DataSource({ ...dataSourceOptions(databaseUrl), migrationsTransactionMode: 'each' });
  await dataSource.initialize();
  // The lock belongs to one session, so it is taken and released on one dedicated connection.
  const lockHolder = dataSource.createQueryRunner();
  try {
    await lockHolder.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const applied = await dataSource.runMigrations();
    for (const migration of applied) logger.log({ msg: 'applied migration', name: migration.name });
    await lockHolder.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
  } finally {
    await lockHolder.release();
    await dataSource.destroy();
  }
}
