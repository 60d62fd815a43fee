export {
  testDatabaseUrl,
  testNatsUrl,
  LOCAL_DATABASE_URL,
  LOCAL_NATS_URL,
  type ResolvedUrl,
} from './service-urls.js';
export { uniqueTestName } from './unique-names.js';
export { createTestSchema, type TestSchema } from './test-schema.js';
export { freeLoopbackPort } from './free-port.js';
export {
  OwnedProcess,
  processExists,
  descendantPids,
  describeExit,
  type ProcessExit,
  type StopOptions,
} from './owned-process.js';
export { removeOwnedFolder, startInOwnedFolder } from './owned-folder.js';
export { OwnedServer } from './owned-server.js';
export { type LoopbackServerProcess } from './loopback-server.js';
export { httpGet, waitForHttp, type HttpReply, type WaitForHttpOptions } from './http-probe.js';
export { startNodeProcess, type NodeProcess, type NodeProcessOptions } from './node-process.js';
export {
  startNatsServer,
  NATS_SERVER_BINARY,
  type NatsServerOptions,
  type NatsServerProcess,
} from './nats-server.js';
export {
  startPostgresServer,
  type PostgresServerOptions,
  type PostgresServerProcess,
} from './postgres-server.js';
export { spawnService, type ServiceProcess, type ServiceProcessOptions } from './service-process.js';
export { runServiceProcessContract, type ServiceProcessContractOptions } from './service-process-contract.js';
