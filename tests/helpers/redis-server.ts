import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';

/** Test-owned redis-server processes on free loopback ports; never the system one on 6379. */

export interface RedisServerOptions {
  /** AOF with `appendfsync always` (durability tests). */
  appendonly?: boolean;
  /** Data directory; a fresh temp dir (removed on stop) when omitted. */
  dir?: string;
  port?: number;
  /** Extra `--name value` arguments, e.g. ['--requirepass', 'secret']. */
  args?: string[];
  /** Serve TLS only (`--port 0 --tls-port <port>`, no client certificates); see tests/helpers/redis-tls.ts. */
  tls?: RedisTlsFiles;
}

/** PEM files of a TLS redis-server: its certificate and key, and the CA that signed it. */
export interface RedisTlsFiles {
  certFile: string;
  keyFile: string;
  caFile: string;
}

export interface RedisServerHandle {
  readonly port: number;
  readonly host: '127.0.0.1';
  readonly url: string;
  readonly dir: string;
  /** Pid of the current process (changes on restart). */
  readonly pid: number;
  /** Graceful stop (SIGTERM, then SIGKILL); removes the temp dir if the helper made it. */
  stop(): Promise<void>;
  /** Sends a signal (SIGSTOP, SIGCONT, SIGKILL…); SIGKILL resolves once the process is gone. */
  kill(signal: NodeJS.Signals): Promise<void>;
  /** Starts the server again on the same port and dir (after kill/stop of the process). */
  restart(): Promise<void>;
}

export const REDIS_INSTALL_HINT =
  'redis-server was not found on PATH; install it with `apt-get install -y redis-server` (Debian/Ubuntu)';

export const REDIS_TLS_HINT =
  'redis-server refused --tls-port: it was built without TLS (BUILD_TLS=yes); Debian/Ubuntu `redis-server` ' +
  '(6.0+) has TLS, so install that package or rebuild with `make BUILD_TLS=yes`';

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Last line of defence: a crashed test run must not leave servers behind.
  process.on('exit', () => {
    for (const child of running) {
      try {
        child.kill('SIGCONT');
        child.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
  });
}

/** Registers a child process to be killed if the test process exits without stopping it. */
export function trackProcess(child: ChildProcess): void {
  running.add(child);
  installExitHook();
  child.once('exit', () => running.delete(child));
}

/** A free loopback TCP port (never 6379). */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        const chosen = typeof address === 'object' && address ? address.port : 0;
        server.close(() => resolve(chosen));
      });
    });
    if (port !== 6379 && port !== 0) return port;
  }
}

/**
 * Resolves when the port answers PING (or NOAUTH, which also proves it is serving); over TLS when `caFile` is
 * given. Stops early (rejecting) once `gone()` says the process exited.
 */
export async function waitForPing(
  port: number,
  timeoutMs = 10_000,
  opts: { caFile?: string; gone?: () => boolean } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const ca = opts.caFile === undefined ? undefined : readFileSync(opts.caFile, 'utf8');
  for (;;) {
    if (await pingOnce(port, ca)) return;
    if (opts.gone?.()) throw new Error(`redis-server for port ${port} exited before answering PING`);
    if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not answer PING`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function pingOnce(port: number, ca: string | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    const socket: Socket =
      ca === undefined
        ? createConnection({ host: '127.0.0.1', port })
        : tlsConnect({ host: '127.0.0.1', port, ca });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once(ca === undefined ? 'connect' : 'secureConnect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(/^(\+PONG|-NOAUTH)/.test(data.toString('latin1'))));
  });
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

function spawnServer(port: number, dir: string, opts: RedisServerOptions): Promise<ChildProcess> {
  const tls = opts.tls;
  const listen = tls
    ? [
        '--port',
        '0',
        '--tls-port',
        String(port),
        '--tls-cert-file',
        tls.certFile,
        '--tls-key-file',
        tls.keyFile,
      ]
    : ['--port', String(port)];
  const args = [
    ...listen,
    ...(tls ? ['--tls-ca-cert-file', tls.caFile, '--tls-auth-clients', 'no'] : []),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--daemonize',
    'no',
    '--dir',
    dir,
    '--appendonly',
    opts.appendonly ? 'yes' : 'no',
    ...(opts.appendonly ? ['--appendfsync', 'always'] : []),
    ...(opts.args ?? []),
  ];
  return new Promise((resolve, reject) => {
    // An explicit env: under Jest, `process.env` is the test's copy (PATH changes must apply).
    const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
    let output = '';
    const collect = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-4000);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    child.once('error', (error: NodeJS.ErrnoException) => {
      running.delete(child);
      reject(error.code === 'ENOENT' ? new Error(REDIS_INSTALL_HINT) : error);
    });
    child.once('spawn', () => {
      trackProcess(child);
      const gone = () => child.exitCode !== null || child.signalCode !== null;
      waitForPing(port, 10_000, { ...(tls ? { caFile: tls.caFile } : {}), gone }).then(
        () => resolve(child),
        (error: Error) => {
          child.kill('SIGKILL');
          // A build without TLS rejects the tls-* directives at config load.
          const noTls = tls !== undefined && /Bad directive/.test(output) && /'tls-/.test(output);
          reject(
            new Error(`${noTls ? `${REDIS_TLS_HINT}; ` : ''}${error.message}; server output:\n${output}`),
          );
        },
      );
    });
  });
}

/** Starts a redis-server on a free loopback port and waits until it answers PING. */
export async function startRedisServer(opts: RedisServerOptions = {}): Promise<RedisServerHandle> {
  const ownDir = opts.dir === undefined;
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'framestore-redis-'));
  let port = opts.port ?? (await freePort());
  let child: ChildProcess | undefined;
  // Another process may grab the port between probing and binding: retry on a new one.
  for (let attempt = 0; child === undefined; attempt += 1) {
    try {
      child = await spawnServer(port, dir, opts);
    } catch (error) {
      const message = (error as Error).message;
      if (
        attempt >= 3 ||
        opts.port !== undefined ||
        message === REDIS_INSTALL_HINT ||
        message.startsWith(REDIS_TLS_HINT)
      ) {
        if (ownDir) rmSync(dir, { recursive: true, force: true });
        throw error;
      }
      port = await freePort();
    }
  }
  let current: ChildProcess = child;
  const handle: RedisServerHandle = {
    port,
    host: '127.0.0.1',
    url: `${opts.tls ? 'rediss' : 'redis'}://127.0.0.1:${port}`,
    dir,
    get pid() {
      return current.pid ?? -1;
    },
    async stop() {
      current.kill('SIGCONT');
      current.kill('SIGTERM');
      if (!(await waitForExit(current, 5000))) {
        current.kill('SIGKILL');
        await waitForExit(current, 5000);
      }
      running.delete(current);
      if (ownDir) rmSync(dir, { recursive: true, force: true });
    },
    async kill(signal) {
      current.kill(signal);
      if (signal === 'SIGKILL') await waitForExit(current, 5000);
    },
    async restart() {
      if (current.exitCode === null && current.signalCode === null) {
        current.kill('SIGCONT');
        current.kill('SIGKILL');
        await waitForExit(current, 5000);
      }
      current = await spawnServer(port, dir, opts);
    },
  };
  return handle;
}
