import type { Table } from 'apache-arrow';
import { StorageError, type StorageErrorCode } from '../../src/contract/errors.js';
import type {
  CreateSessionOptions,
  SessionInfo,
  StorageBackend,
} from '../../src/contract/storage-backend.js';
import { makeSmallTable } from '../helpers/tables.js';
import type { BackendHarness } from './contract-suite.js';

/** What every area of the contract suite gets: the harness, a shared backend, and extra backends on demand. */
export class ContractContext {
  private harnessValue: BackendHarness | undefined;
  private backendValue: StorageBackend | undefined;
  private readonly extra: StorageBackend[] = [];

  get harness(): BackendHarness {
    if (this.harnessValue === undefined) throw new Error('contract harness not ready (beforeAll failed?)');
    return this.harnessValue;
  }

  /** The backend most tests use; over the harness's storage with its default settings. */
  get backend(): StorageBackend {
    if (this.backendValue === undefined) throw new Error('contract backend not ready (beforeAll failed?)');
    return this.backendValue;
  }

  async setUp(makeHarness: () => Promise<BackendHarness>): Promise<void> {
    this.harnessValue = await makeHarness();
    this.backendValue = await this.harnessValue.create();
  }

  async tearDown(): Promise<void> {
    for (const backend of [...this.extra, this.backendValue]) await backend?.close();
    await this.harnessValue?.teardown();
  }

  /** Another backend over the same storage (env overrides such as { MAX_VERSIONS: '3' }); closed at the end. */
  async create(overrides: Record<string, string> = {}): Promise<StorageBackend> {
    const backend = await this.harness.create(overrides);
    this.extra.push(backend);
    return backend;
  }

  /** A new session holding `table` (a small 3-row table by default). */
  session(table: Table = makeSmallTable(), opts: CreateSessionOptions = {}): Promise<SessionInfo> {
    return this.backend.createSession(table, opts);
  }
}

/** Runs `call` and asserts it fails with a StorageError of `code`; returns the error. */
export async function expectCode(call: () => unknown, code: StorageErrorCode): Promise<StorageError> {
  let outcome: unknown;
  try {
    await call();
  } catch (error) {
    outcome = error;
  }
  if (!(outcome instanceof StorageError)) {
    throw new Error(
      `expected StorageError ${code}, got ${outcome === undefined ? 'success' : String(outcome)}`,
    );
  }
  if (outcome.code !== code) throw new Error(`expected ${code}, got ${outcome.code}: ${outcome.message}`);
  return outcome;
}

/** A valid id that no backend has issued (ids are 128-bit random, so this one is never taken). */
export const UNKNOWN_ID = 'AAAAAAAAAAAAAAAAAAAAAA';

/** Milliseconds between an ISO timestamp and now. */
export const msFromNow = (iso: string): number => Date.parse(iso) - Date.now();
