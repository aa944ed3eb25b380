import { Command } from 'commander';
import { VERSION } from '../version.js';
import { EXIT } from './cli-errors.js';

/** Adds one verb to the program (each lives in commands/<verb>.ts). */
export type CommandRegistrar = (program: Command) => void;

/** The `framestore` command line with the given verbs. */
export function buildProgram(registrars: readonly CommandRegistrar[]): Command {
  const program = new Command('framestore')
    .description(
      'Session storage for data-cleaning apps: Arrow tables with versions, undo/redo, an audit log ' +
        'and intentional-missing marks, on local disk (default) or Redis.',
    )
    .version(VERSION, '-v, --version', 'print the framestore version')
    .option('--env-file <path>', 'load environment variables from a file first (e.g. .env)')
    .showHelpAfterError('(run with --help for usage)')
    .hook('preAction', (command) => {
      const file = command.opts<{ envFile?: string }>().envFile;
      // Values already set in the real environment win, as with `node --env-file`.
      if (file !== undefined) process.loadEnvFile(file);
    });
  for (const register of registrars) register(program);
  program.addHelpText(
    'after',
    `
Quick start:
  framestore demo                      see what it does, no setup needed
  framestore serve                     HTTP API on http://127.0.0.1:8000 (data in ./data)
  REDIS_ENABLED=true REDIS_URL=redis://localhost:6379/0 framestore serve

Configuration comes from environment variables (every one is listed in docs/configuration.md
and .env.redis.example). Exit codes: 0 ok, 1 error, ${EXIT.UNAVAILABLE} storage unavailable
(BACKEND_UNAVAILABLE), ${EXIT.CONFIG} bad configuration (CONFIG_INVALID).`,
  );
  return program;
}
