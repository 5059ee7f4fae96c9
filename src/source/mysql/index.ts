// The MySQL/MariaDB source's public surface.
export { createMySqlSource, type MySqlSourceOptions } from './mysql-source.js';
