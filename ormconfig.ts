import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from './src/db/data-source';

/**
 * For the TypeORM CLI (npm run migration:run). The service itself runs migrations at start.
 * For MariaDB use a mariadb:// URL here (the server detects it by itself at run time).
 */
export default new DataSource(dataSourceOptions(process.env.DATABASE_URL || 'sqlite:var/custodian.sqlite'));
