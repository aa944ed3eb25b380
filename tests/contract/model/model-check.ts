import type * as fc from 'fast-check';
import { StorageError } from '../../../src/contract/errors.js';
import type {
  AuditEntry,
  MarkedCell,
  SessionInfo,
  StorageBackend,
  VersionInfo,
} from '../../../src/contract/storage-backend.js';
import type {
  Expected,
  ModelAudit,
  ModelEntry,
  ModelInfo,
  ModelMark,
  SessionModel,
} from './session-model.js';

/** The system under test: one backend and the one session this run works on. */
export interface Real {
  backend: StorageBackend;
  id: string;
}

/** One step of a run; `name` is what a failing run prints for it (fast-check shows the shrunk sequence). */
export class ModelCommand implements fc.AsyncCommand<SessionModel, Real> {
  constructor(
    private readonly name: string,
    private readonly body: (model: SessionModel, real: Real) => Promise<void>,
    private readonly precondition: (model: SessionModel) => boolean = () => true,
  ) {}

  check(model: Readonly<SessionModel>): boolean {
    return this.precondition(model as SessionModel);
  }

  run(model: SessionModel, real: Real): Promise<void> {
    return this.body(model, real);
  }

  toString(): string {
    return this.name;
  }
}

/** JSON with sorted keys and without undefined fields, so equal values print equal (own `__proto__` kept). */
export function stable(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stable).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const fields = Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${stable((value as Record<string, unknown>)[k])}`);
    return `{${fields.join(',')}}`;
  }
  return value === undefined ? 'undefined' : JSON.stringify(value);
}

/** Throws a one-line difference: what the backend answered vs what the model (docs/semantics.md) says. */
export function same(what: string, actual: unknown, expected: unknown): void {
  const a = stable(actual);
  const e = stable(expected);
  if (a !== e) throw new Error(`${what}: backend ${a}\n    model   ${e}`);
}

/**
 * Runs the real call and checks it against the model's prediction: the same StorageError code, or success
 * and `compare` on the answer.
 */
export async function expectOutcome<T, U>(
  what: string,
  expected: Expected<T>,
  call: () => Promise<U>,
  compare: (actual: U, predicted: T) => void,
): Promise<void> {
  let actual: U;
  try {
    actual = await call();
  } catch (error) {
    if (!(error instanceof StorageError)) throw error;
    if (expected.ok)
      throw new Error(`${what}: backend threw ${error.code} (${error.message}), model succeeds`);
    same(`${what} error code`, error.code, expected.code);
    return;
  }
  if (!expected.ok) throw new Error(`${what}: backend succeeded, model says ${expected.code}`);
  compare(actual, expected.value);
}

export const infoOf = (s: SessionInfo): ModelInfo => ({
  version: s.version,
  versionCount: s.versionCount,
  canUndo: s.canUndo,
  canRedo: s.canRedo,
  rows: s.rows,
  columns: s.columns,
  lastUser: s.lastUser,
});

/** The projection of a VersionInfo the model predicts (createdAt and bytes are not modelled). */
export const versionOf = (v: VersionInfo) => ({
  version: v.version,
  label: v.label,
  operation: v.operation,
  user: v.user,
  rows: v.rows,
  columns: v.columns,
});

export const entryOf = (e: ModelEntry) => ({
  version: e.version,
  label: e.label,
  operation: e.operation,
  user: e.user,
  rows: e.frame.rows,
  columns: e.frame.columns.length,
});

export const auditOf = ({ at: _at, ...rest }: AuditEntry): ModelAudit => rest;

export const markOf = (m: MarkedCell): ModelMark => ({ row: m.row, column: m.column, reason: m.reason });

/** Compares a SessionInfo answer with the model's session. */
export const compareInfo =
  (what: string) =>
  (actual: SessionInfo, predicted: ModelInfo): void =>
    same(what, infoOf(actual), predicted);
