import { Injectable } from '@nestjs/common';
import { DataSource, QueryRunner } from 'typeorm';
import { fromPostgres } from '../common/dependency-errors';

/** A transaction in progress; repositories take one when their write must commit with others. */
export type Tx = QueryRunner;

/**
 * Thin SQL access on TypeORM's connection pool. Repositories write plain, reviewed SQL (keyset
 * paging, ON CONFLICT, RETURNING) and get rows back the same way for every statement kind.
 */
@Injectable()
export class Database {
  constructor(private readonly dataSource: DataSource) {}

  async rows<T>(sql: string, params: unknown[] = [], tx?: Tx): Promise<T[]> {
    return (await this.run(sql, params, tx)).records as T[];
  }

  async one<T>(sql: string, params: unknown[] = [], tx?: Tx): Promise<T | undefined> {
    return (await this.rows<T>(sql, params, tx))[0];
  }

  /** Runs a statement and returns how many rows it touched. */
  async execute(sql: string, params: unknown[] = [], tx?: Tx): Promise<number> {
    return (await this.run(sql, params, tx)).affected ?? 0;
  }

  async transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect().catch((err: unknown) => {
      throw fromPostgres(err);
    });
    await runner.startTransaction();
    try {
      const result = await work(runner);
      await runner.commitTransaction();
      return result;
    } catch (err) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw err;
    } finally {
      await runner.release();
    }
  }

  private async run(sql: string, params: unknown[], tx?: Tx) {
    const runner = tx ?? this.dataSource.createQueryRunner();
    try {
      return await runner.query(sql, params, true);
    } catch (err) {
      // A bare socket error says nothing of whose socket it was: this one was PostgreSQL's.
      throw fromPostgres(err);
    } finally {
      if (!tx) await runner.release();
    }
  }
}
