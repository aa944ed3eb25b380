/**
 * Reference servers for the HTTP bench, measured in the same run: a bare express 5 app and a bare node:http
 * server answering a tiny JSON body. They show what this machine allows before framestore does any work.
 * Usage: tsx bench/http-baseline-server.ts express|node — prints `{ port }`, exits on SIGTERM.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';

const kind = process.argv[2];
let server: Server;
if (kind === 'express') {
  const app = express();
  app.get('/health', (_req, res) => {
    res.json({ status: 'healthy' });
  });
  server = app.listen(0, '127.0.0.1');
} else {
  server = createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end('{"status":"healthy"}');
  }).listen(0, '127.0.0.1');
}
server.once('listening', () => {
  process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
