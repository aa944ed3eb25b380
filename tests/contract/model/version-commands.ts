import * as fc from 'fast-check';
import { compareInfo, expectOutcome, ModelCommand, same } from './model-check.js';
import { fingerprint } from './model-tables.js';
import type { SessionModel } from './session-model.js';

/** restoreVersion / getVersion commands, one per kind of version named, so each can be enabled on its own. */

type Target = 'current' | 'history' | 'redo' | 'missing' | 'invalid';
interface TargetSeed {
  kind: Target;
  pick: number;
}

/**
 * Resolved against the model when the step runs: `history#3` is history[3 % length]; `missing#k` is the
 * k-th (mod) number in [1, version + 2] the session does not hold (dropped, cleared, future); `invalid#k`
 * one of 0, -1, 1.5.
 */
function resolve(m: SessionModel, t: TargetSeed): number {
  switch (t.kind) {
    case 'current':
      return m.version;
    case 'history':
      return m.history[t.pick % m.history.length]!.version;
    case 'redo':
      return m.redo[t.pick % m.redo.length]!.version;
    case 'missing': {
      const held = new Set(m.heldVersions());
      const free = Array.from({ length: m.version + 2 }, (_, i) => i + 1).filter((v) => !held.has(v));
      return free[t.pick % free.length]!;
    }
    case 'invalid':
      return [0, -1, 1.5][t.pick % 3]!;
  }
}

const applicable = (t: TargetSeed) => (m: SessionModel) =>
  (t.kind !== 'history' || m.history.length > 0) && (t.kind !== 'redo' || m.redo.length > 0);

const describe = (t: TargetSeed) => (t.kind === 'current' ? 'current' : `${t.kind}#${t.pick}`);

function restoreCommand(t: TargetSeed): ModelCommand {
  return new ModelCommand(
    `restoreVersion(${describe(t)})`,
    async (m, r) => {
      const version = resolve(m, t);
      const held = m.heldVersions();
      await expectOutcome(
        `restoreVersion(${version}) with held versions [${held}]`,
        m.restoreVersion(version),
        () => r.backend.restoreVersion(r.id, version),
        compareInfo(`restoreVersion(${version}) → SessionInfo`),
      );
    },
    applicable(t),
  );
}

function getVersionCommand(t: TargetSeed): ModelCommand {
  return new ModelCommand(
    `getVersion(${describe(t)})`,
    async (m, r) => {
      const version = resolve(m, t);
      const held = m.heldVersions();
      await expectOutcome(
        `getVersion(${version}) with held versions [${held}]`,
        m.getVersion(version),
        () => r.backend.getVersion(r.id, version),
        (table, frame) =>
          same(`getVersion(${version}) table (model: ${frame.name})`, fingerprint(table), frame.fingerprint),
      );
    },
    applicable(t),
  );
}

const seeds = (...kinds: Target[]) =>
  fc.record({ kind: fc.constantFrom(...kinds), pick: fc.nat({ max: 50 }) });

export const versionCommands: Record<string, fc.Arbitrary<ModelCommand>> = {
  restore: seeds('history', 'history', 'missing', 'invalid').map(restoreCommand),
  restoreRedo: seeds('redo').map(restoreCommand),
  restoreCurrent: fc.constant(restoreCommand({ kind: 'current', pick: 0 })),
  getVersion: seeds('current', 'history', 'history', 'missing', 'invalid').map(getVersionCommand),
  getVersionRedo: seeds('redo').map(getVersionCommand),
};
