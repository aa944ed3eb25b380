import type { StorageBackend } from '../../src/contract/storage-backend.js';
import { agreementTests } from './contract-agreement.js';
import { auditTests } from './contract-audit.js';
import { chunkTests, wholeFrameCompatibilityTests } from './contract-chunks.js';
import { ContractContext } from './contract-context.js';
import { errorTests } from './contract-errors.js';
import { frameReadTests } from './contract-frame-reads.js';
import { lockTests } from './contract-locks.js';
import { markTests } from './contract-marks.js';
import { semanticsTests } from './contract-semantics.js';
import { sessionTests } from './contract-sessions.js';
import { transferTests } from './contract-transfer.js';
import { ttlTests } from './contract-ttl.js';
import { uploadTests } from './contract-uploads.js';
import { versionTests } from './contract-versions.js';
import { modelTests } from './model/model-suite.js';

/** How the suite builds backends of one kind over one storage (a temp dir, a redis-server, ...). */
export interface BackendHarness {
  name: string; // 'inmemory' | 'redis'
  /** Environment variables that make a backend of this kind over the SAME storage (used by child processes too). */
  env(): Record<string, string>;
  /** A fresh backend instance over the same storage; `overrides` are env-var overrides (e.g. { MAX_VERSIONS: '3' }). */
  create(overrides?: Record<string, string>): Promise<StorageBackend>;
  /** Absolute path of a TS module whose default export is `(env: Record<string,string>) => Promise<StorageBackend>`; child processes import it with tsx. */
  factoryModule: string;
  teardown(): Promise<void>;
}

/**
 * The storage contract (§2, §3) as one suite that every backend runs unchanged. `makeHarness` is called once;
 * tests share its storage and create their own sessions, so they never depend on each other.
 */
export function runContractSuite(makeHarness: () => Promise<BackendHarness>): void {
  describe('StorageBackend contract', () => {
    const ctx = new ContractContext();
    beforeAll(() => ctx.setUp(makeHarness), 60_000);
    afterAll(() => ctx.tearDown(), 60_000);

    describe('sessions', () => sessionTests(ctx));
    describe('versions', () => versionTests(ctx));
    describe('partial reads and diffs', () => frameReadTests(ctx));
    describe('column chunks', () => chunkTests(ctx));
    describe('whole-frame sessions', () => wholeFrameCompatibilityTests(ctx));
    describe('metadata and audit log', () => auditTests(ctx));
    describe('intentional missing marks', () => markTests(ctx));
    describe('temporary uploads', () => uploadTests(ctx));
    describe('locks', () => lockTests(ctx));
    describe('ttl', () => ttlTests(ctx));
    describe('errors', () => errorTests(ctx));
    describe('transfer', () => transferTests(ctx));
    describe('one semantics (§2a)', () => semanticsTests(ctx));
    describe('one semantics: found by a differential run', () => agreementTests(ctx));
    describe('model', () => modelTests(ctx));
  });
}
