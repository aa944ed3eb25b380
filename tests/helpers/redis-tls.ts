import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RedisTlsFiles } from './redis-server.js';

/** A private CA and a server certificate for 127.0.0.1 (subjectAltName IP), made with the openssl CLI. */

export const OPENSSL_INSTALL_HINT =
  'openssl was not found on PATH; install it with `apt-get install -y openssl` (Debian/Ubuntu)';

function openssl(args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let errors = '';
    child.stderr.on('data', (chunk: Buffer) => {
      errors = (errors + chunk.toString()).slice(-2000);
    });
    child.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'ENOENT' ? new Error(OPENSSL_INSTALL_HINT) : error),
    );
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`openssl ${args[0]} exited ${code}: ${errors}`)),
    );
  });
}

/** Writes ca.pem, server.pem and server.key into `dir` (2-day validity, RSA 2048, no passphrases). */
export async function makeTlsFiles(dir: string): Promise<RedisTlsFiles> {
  const days = ['-days', '2'];
  const key = ['-newkey', 'rsa:2048', '-nodes'];
  await openssl(
    [
      'req',
      '-x509',
      ...key,
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
      '-subj',
      '/CN=framestore test CA',
      ...days,
    ],
    dir,
  );
  await openssl(
    ['req', ...key, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1'],
    dir,
  );
  // Node checks an IP host against the certificate's subjectAltName IP entries (the CN is not consulted).
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n');
  const sign = ['-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-extfile', 'server.ext'];
  await openssl(['x509', '-req', '-in', 'server.csr', '-out', 'server.pem', ...sign, ...days], dir);
  return { caFile: join(dir, 'ca.pem'), certFile: join(dir, 'server.pem'), keyFile: join(dir, 'server.key') };
}
