import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
/** tsx's loader by absolute path, so children can run from any working directory. */
const TSX_LOADER = join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs');
const MAIN = join(ROOT, 'src', 'cli', 'main.ts');

export interface CliProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or the signal name) once the process is gone. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Runs `framestore <args>` from the TypeScript sources (never a possibly stale dist/) with only the given
 * environment plus PATH/HOME, so the developer's own variables cannot leak into a test.
 */
export function runCli(args: string[], env: Record<string, string>, cwd: string): CliProcess {
  const child = spawn(process.execPath, ['--import', TSX_LOADER, MAIN, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? cwd, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Runs a command to completion (bounded). */
export async function runToExit(
  args: string[],
  env: Record<string, string>,
  cwd: string,
  timeoutMs = 45_000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const cli = runCli(args, env, cwd);
  const timer = setTimeout(() => cli.child.kill('SIGKILL'), timeoutMs);
  const { code } = await cli.exited;
  clearTimeout(timer);
  return { code, stdout: cli.stdout(), stderr: cli.stderr() };
}

/**
 * Waits for the `listening on` log line of `framestore serve --port 0` and returns its base URL.
 * Letting the server pick its port avoids the race of probing a free port that another test then takes.
 */
export async function waitForListening(cli: CliProcess, timeoutMs = 45_000): Promise<string> {
  let exited = false;
  void cli.exited.then(() => {
    exited = true;
  });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const match = /"address":"(http:\/\/[^"]+)"/.exec(cli.stdout());
    if (match) return match[1]!;
    if (exited) throw new Error(`process exited before serving:\n${cli.stdout()}\n${cli.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  cli.child.kill('SIGKILL');
  throw new Error(`no "listening" line within ${timeoutMs} ms:\n${cli.stdout()}\n${cli.stderr()}`);
}

/** Stops a process for good at the end of a test, whatever state it is in. */
export async function ensureStopped(cli: CliProcess | undefined): Promise<void> {
  if (cli === undefined || cli.child.exitCode !== null || cli.child.signalCode !== null) return;
  cli.child.kill('SIGKILL');
  await cli.exited;
}
