import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { type AppFixture, createTestApp } from './http-fixtures.js';

/** One raw HTTP/1.1 exchange, so the test decides the framing (length, chunked, encoding). */
function send(
  port: number,
  headers: Record<string, string | number>,
  write: (req: http.ClientRequest) => void,
): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method: 'POST', path: '/sessions?filename=t.csv', headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString()) }),
        );
      },
    );
    req.on('error', reject);
    write(req);
  });
}

describe('table bodies: one buffer of the declared length, chunked and encoded bodies as before', () => {
  let fixture: AppFixture;
  let server: http.Server;
  let port: number;
  beforeAll(async () => {
    fixture = await createTestApp('inmemory', { MAX_DATAFRAME_SIZE_MB: '0.01' });
    server = fixture.app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await fixture.close();
  });

  const csv = Buffer.from('a,b\n1,x\n2,y\n3,z\n');

  it('reads a Content-Length body sent in several pieces', async () => {
    const res = await send(port, { 'content-type': 'text/csv', 'content-length': csv.length }, (req) => {
      req.write(csv.subarray(0, 5));
      setImmediate(() => req.end(csv.subarray(5)));
    });
    expect(res.status).toBe(201);
    expect(res.body.rows).toBe(3);
  });

  it('reads a chunked body and a gzip-encoded one', async () => {
    const chunked = await send(
      port,
      { 'content-type': 'text/csv', 'transfer-encoding': 'chunked' },
      (req) => {
        req.write(csv.subarray(0, 7));
        req.end(csv.subarray(7));
      },
    );
    expect(chunked.status).toBe(201);
    expect(chunked.body.rows).toBe(3);
    const zipped = gzipSync(csv);
    const gzip = await send(
      port,
      { 'content-type': 'text/csv', 'content-encoding': 'gzip', 'content-length': zipped.length },
      (req) => req.end(zipped),
    );
    expect(gzip.status).toBe(201);
    expect(gzip.body.rows).toBe(3);
  });

  it('answers a declared length over the limit with 413 once the body is in, and keeps serving', async () => {
    const big = Buffer.from(`a\n${'1\n'.repeat(20_000)}`);
    const before = (await fixture.manager.getStats()).sessions;
    const res = await send(port, { 'content-type': 'text/csv', 'content-length': big.length }, (req) =>
      req.end(big),
    );
    expect(res.status).toBe(413);
    expect((res.body.error as { code: string }).code).toBe('PAYLOAD_TOO_LARGE');
    expect((await fixture.manager.getStats()).sessions).toBe(before);
    const after = await send(port, { 'content-type': 'text/csv', 'content-length': csv.length }, (req) =>
      req.end(csv),
    );
    expect(after.status).toBe(201);
  });
});
