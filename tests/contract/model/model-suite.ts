import * as fc from 'fast-check';
import type { StorageBackend } from '../../../src/contract/storage-backend.js';
import type { ContractContext } from '../contract-context.js';
import type { Real } from './model-check.js';
import { frameOf, tableSpecArb } from './model-tables.js';
import { enabledCommands } from './session-commands.js';
import { SessionModel } from './session-model.js';

/**
 * The model-based test: random command sequences on one fresh session per run, every step checked against
 * the reference model (docs/semantics.md). Env: FC_NUM_RUNS raises the runs, FC_SEED + FC_PATH (+ FC_REPLAY_PATH)
 * replay a failure, MODEL_COMMANDS / MODEL_COMMANDS_SKIP (comma lists, see COMMANDS) restrict the commands.
 */

/** Small, so the caps on history and redo are hit often. */
const MAX_VERSIONS = 3;
/**
 * Runs in CI per backend, measured on the 2-core CI machine to cost ≤ ~12 s each (inmemory: 40 runs ≈ 10–12 s,
 * it fsyncs every write; redis: 40 runs ≈ 0.8 s; cluster: 40 runs ≈ 1.7 s).
 */
const CI_RUNS: Record<string, number> = { inmemory: 40, redis: 300, 'redis-cluster': 200 };
const DEFAULT_RUNS = 40;
const MAX_COMMANDS = 40;

const initArb = fc.record({
  spec: tableSpecArb,
  filename: fc.option(fc.constantFrom('data.csv', 'ünï code.xlsx'), { nil: undefined }),
  user: fc.option(fc.constantFrom('ana', ''), { nil: undefined }),
});

function envInt(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isSafeInteger(value)) throw new Error(`${name} must be an integer, got ${raw}`);
  return value;
}

export function modelTests(ctx: ContractContext): void {
  const envRuns = envInt('FC_NUM_RUNS');
  const maxRuns = envRuns ?? Math.max(DEFAULT_RUNS, ...Object.values(CI_RUNS));
  let backend: StorageBackend;
  beforeAll(async () => {
    backend = await ctx.create({ MAX_VERSIONS: String(MAX_VERSIONS) });
  });

  test(
    'model: random command sequences behave as docs/semantics.md says',
    async () => {
      const numRuns = envRuns ?? CI_RUNS[ctx.harness.name] ?? DEFAULT_RUNS;
      const commands = enabledCommands(process.env.MODEL_COMMANDS, process.env.MODEL_COMMANDS_SKIP);
      const seed = envInt('FC_SEED') ?? (Date.now() ^ (Math.random() * 0x7fffffff)) | 0;
      const path = process.env.FC_PATH || undefined;
      // The `/*replayPath=...*/` fast-check prints after the shrunk commands.
      const replay = process.env.FC_REPLAY_PATH ? { replayPath: process.env.FC_REPLAY_PATH } : {};
      const property = fc.asyncProperty(
        initArb,
        fc.commands(commands, { maxCommands: MAX_COMMANDS, size: 'max', ...replay }),
        async ({ spec, filename, user }, cmds) => {
          const { table, frame } = frameOf(spec);
          const opts = {
            ...(filename !== undefined ? { filename } : {}),
            ...(user !== undefined ? { user } : {}),
          };
          const { sessionId } = await backend.createSession(table, opts);
          try {
            const setup = () => ({
              model: SessionModel.create(frame, opts, MAX_VERSIONS),
              real: { backend, id: sessionId } satisfies Real,
            });
            await fc.asyncModelRun(setup, cmds);
          } finally {
            await backend.deleteSession(sessionId).catch(() => false);
          }
        },
      );
      try {
        await fc.assert(property, { numRuns, seed, ...(path !== undefined ? { path } : {}) });
      } catch (error) {
        console.log(
          `model test failed on ${ctx.harness.name} (${numRuns} runs); replay with FC_SEED=${seed} ` +
            'FC_PATH=<path> FC_REPLAY_PATH=<replayPath> (both printed below)',
        );
        throw error;
      }
    },
    60_000 + maxRuns * 2_000,
  );
}
