/** framestore public API. */

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
