import { errorLine, exitCodeFor } from './cli-errors.js';
import { registerDemoCommand } from './commands/demo.js';
import { registerExportCommand } from './commands/export.js';
import { registerImportCommand } from './commands/import.js';
import { registerInspectCommand } from './commands/inspect.js';
import { registerMigrateCommand } from './commands/migrate.js';
import { registerServeCommand } from './commands/serve.js';
import { buildProgram, type CommandRegistrar } from './program.js';

/** Every verb, in the order `--help` lists them. A new verb is a commands/<verb>.ts plus one line here. */
const COMMANDS: CommandRegistrar[] = [
  registerServeCommand,
  registerInspectCommand,
  registerDemoCommand,
  registerMigrateCommand,
  registerExportCommand,
  registerImportCommand,
];

/** Runs the CLI; any failure becomes one line on stderr and a meaningful exit code. */
export async function runCli(argv: string[]): Promise<void> {
  try {
    await buildProgram(COMMANDS).parseAsync(argv);
  } catch (error) {
    const code = exitCodeFor(error);
    // Exit as soon as the line is written: a half-opened backend may still hold retry timers.
    process.stderr.write(`${errorLine(error)}\n`, () => process.exit(code));
  }
}

await runCli(process.argv);
