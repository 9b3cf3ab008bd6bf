import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadConfig } from '../config/app-config';
import { dataSourceOptions } from './data-source-options';

// The TypeORM CLI needs a file whose single default export is the DataSource.
export default new DataSource(dataSourceOptions(loadConfig().databaseUrl));
