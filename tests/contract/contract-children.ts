import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { BackendHarness } from './contract-suite.js';

const REPO_ROOT = path.resolve(__dirname, '../..');
const WORKER = path.join(REPO_ROOT, 'tests/helpers/contract-worker.ts');

export interface WorkerEvent {
  event: string;
  code?: string;
  message?: string;
}

/** A running contract-worker child process (see tests/helpers/contract-worker.ts). */
export class WorkerChild {
  readonly events: WorkerEvent[] = [];
  readonly exited: Promise<number | null>;
  private stderrText = '';
  private readonly listeners = new Set<() => void>();

  constructor(readonly proc: ChildProcess) {
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      try {
        this.events.push(JSON.parse(line) as WorkerEvent);
      } catch {
        this.stderrText += `stdout: ${line}\n`;
      }
      for (const listener of this.listeners) listener();
    });
    proc.stderr!.on('data', (chunk: Buffer) => {
      this.stderrText += chunk.toString('utf8');
    });
    this.exited = new Promise((resolve) => proc.on('exit', (code) => resolve(code)));
    this.exited.then(() => {
      for (const listener of this.listeners) listener();
    });
  }

  /** Resolves on the first event named `name`; rejects on an `error` event, an exit, or the timeout. */
  waitEvent(name: string, timeoutMs = 60_000): Promise<WorkerEvent> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.events.find((event) => event.event === name);
        const failed = this.events.find((event) => event.event === 'error');
        if (found) finish(() => resolve(found));
        else if (failed) finish(() => reject(new Error(`worker failed: ${failed.code} ${failed.message}`)));
        else if (this.proc.exitCode !== null || this.proc.signalCode !== null) {
          finish(() => reject(new Error(`worker exited before "${name}": ${this.stderrText.slice(-2000)}`)));
        }
      };
      const timer = setTimeout(
        () =>
          finish(() => reject(new Error(`no "${name}" from worker in ${timeoutMs} ms: ${this.stderrText}`))),
        timeoutMs,
      );
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        this.listeners.delete(check);
        settle();
      };
      this.listeners.add(check);
      check();
    });
  }

  /** Sends one command line on stdin. */
  send(line: string): void {
    this.proc.stdin!.write(`${line}\n`);
  }

  stderr(): string {
    return this.stderrText;
  }

  /** Kills the process (if still running) and waits for it to be gone. */
  async stop(): Promise<void> {
    if (this.proc.exitCode === null && this.proc.signalCode === null) {
      this.proc.kill('SIGCONT');
      this.proc.kill('SIGKILL');
    }
    await this.exited;
  }
}

export interface WorkerSpec {
  mode: 'append' | 'hold' | 'loop';
  sessionId: string;
  name: string;
  steps?: number;
  /** Extra environment variables for the child's backend (on top of harness.env()). */
  envOverrides?: Record<string, string>;
}

/** Starts a worker over the harness's storage, building its backend from harness.factoryModule. */
export function spawnWorker(harness: BackendHarness, spec: WorkerSpec): WorkerChild {
  const env = {
    ...process.env,
    CONTRACT_WORKER_FACTORY: harness.factoryModule,
    CONTRACT_WORKER_ENV: JSON.stringify({ ...harness.env(), ...spec.envOverrides }),
    CONTRACT_WORKER_SESSION: spec.sessionId,
    CONTRACT_WORKER_NAME: spec.name,
    CONTRACT_WORKER_MODE: spec.mode,
    CONTRACT_WORKER_K: String(spec.steps ?? 1),
  };
  const proc = spawn(process.execPath, ['--import', 'tsx', WORKER], {
    cwd: REPO_ROOT,
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  return new WorkerChild(proc);
}
