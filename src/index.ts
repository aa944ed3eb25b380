/** framestore public API. */

export { InMemoryBackend } from './backends/inmemory/inmemory-backend.js';
export { RedisBackend } from './backends/redis/redis-backend.js';
export type {
  CompressionCodec,
  FramestoreConfig,
  RedisConfig,
  SerializationMethod,
} from './config/load-config.js';
export { describeRedisTarget, loadConfig } from './config/load-config.js';
export * from './contract/errors.js';
export { isValidId, newId } from './contract/ids.js';
export * from './contract/storage-backend.js';
export * from './formats/index.js';
export type { AppOptions } from './http/app.js';
export { createApp } from './http/app.js';
export type { Logger } from './logging/logger.js';
export { createLogger } from './logging/logger.js';
export type { CreateDataManagerOptions } from './manager/create-data-manager.js';
export { createDataManager, selectedBackend } from './manager/create-data-manager.js';
export type { OperationEvent, OperationObserver } from './manager/data-manager.js';
export { DataManager } from './manager/data-manager.js';
export { startServer } from './server/server.js';
export { runMigration } from './transfer/migration-runner.js';
export { transferSession } from './transfer/session-transfer.js';
