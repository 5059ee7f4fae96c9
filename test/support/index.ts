// Test fixtures in one import: real MariaDB, Kafka-protocol broker, etcd, and the employees data generator.
export { startMariaDb, type MariaDb, type MariaDbOptions } from './mariadb.js';
export { startKafka, type Kafka, type KafkaMessageInput, type KafkaOptions } from './kafka.js';
export {
  registerTidb,
  startEtcd,
  type Etcd,
  type EtcdKeyValue,
  type TidbRegistration,
  type TidbServerInput,
} from './etcd.js';
export { freePort } from './free-port.js';
export {
  createEmployeeGenerator,
  createEmployeesTable,
  EMPLOYEE_COLUMNS,
  employeeRow,
  employeeRows,
  employeesTableDdl,
  employeeVocabulary,
  FIRST_EMP_NO,
  type CreateEmployeesOptions,
  type CreateEmployeesResult,
  type EmployeeGenerator,
  type EmployeeRow,
} from './employees-data.js';
