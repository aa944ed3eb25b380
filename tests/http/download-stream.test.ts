import { get, type IncomingMessage, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough, Writable } from 'node:stream';
import { makeData, TimestampMicrosecond, Utf8, vectorFromArray } from 'apache-arrow';
import type { Response } from 'express';
import { tableToCsv } from '../../src/formats/csv-write.js';
import { tableToJsonRows } from '../../src/formats/json-write.js';
import { streamText } from '../../src/http/stream-text.js';
import { tableOf } from '../codec/type-fixtures.js';
import { makeRealisticTable } from '../helpers/tables.js';
import { type AppFixture, createTestApp } from './http-fixtures.js';

interface Download {
  status: number;
  headers: IncomingMessage['headers'];
  chunks: number;
  body: string;
}

/** GET over a real socket, counting the body's 'data' events (each one arrived separately). */
function download(base: string, path: string, accept: string): Promise<Download> {
  return new Promise((resolve, reject) => {
    get(`${base}${path}`, { headers: { accept } }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (chunk: Buffer) => parts.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          chunks: parts.length,
          body: Buffer.concat(parts).toString('utf8'),
        }),
      );
      res.on('error', reject);
    }).on('error', reject);
  });
}

describe('JSON and CSV downloads stream over HTTP', () => {
  let fixture: AppFixture;
  let server: Server;
  let base: string;
  // 20k rows × 10 columns: a few MB of JSON, far more than one socket write.
  const big = makeRealisticTable(20_000, 10, 7);

  beforeAll(async () => {
    fixture = await createTestApp('inmemory');
    server = fixture.app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await fixture.close();
  });

  it('a big table arrives in many chunks, chunked encoding, content identical to the writer', async () => {
    const { sessionId } = await fixture.manager.createSession(big);
    const json = await download(base, `/sessions/${sessionId}/data`, 'application/json');
    expect(json.status).toBe(200);
    expect(json.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(json.headers['transfer-encoding']).toBe('chunked');
    expect(json.headers['content-length']).toBeUndefined();
    expect(json.chunks).toBeGreaterThan(5);
    expect(json.body).toBe(tableToJsonRows(big));
    expect((JSON.parse(json.body) as unknown[]).length).toBe(20_000);

    const csv = await download(base, `/sessions/${sessionId}/data`, 'text/csv');
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.chunks).toBeGreaterThan(5);
    expect(csv.body).toBe(tableToCsv(big));
    expect(csv.body.split('\n')).toHaveLength(20_002); // header + rows + the final empty line
  });

  it('a version downloads the same way, exact values included (µs before 1970, with a timezone)', async () => {
    const micros = makeData({
      type: new TimestampMicrosecond('UTC'),
      length: 2,
      data: new BigInt64Array([-500n, 1_700_000_000_123_456n]),
    });
    const names = vectorFromArray(['a,"b"', 'line\nbreak'], new Utf8()).data[0]!;
    const first = tableOf({ 'when, exactly': micros, name: names });
    const { sessionId } = await fixture.manager.createSession(first);
    await fixture.manager.updateDataFrame(sessionId, big, { operation: 'replace' });
    const [version] = await fixture.manager.listVersions(sessionId);
    const path = `/sessions/${sessionId}/versions/${version!.version}/data`;

    const csv = await download(base, path, 'text/csv');
    expect(csv.body).toBe(
      '"when, exactly",name\n' +
        '1969-12-31T23:59:59.999500Z,"a,""b"""\n' +
        '2023-11-14T22:13:20.123456Z,"line\nbreak"\n',
    );
    const json = await download(base, path, 'application/json');
    expect(JSON.parse(json.body)).toEqual([
      { 'when, exactly': '1969-12-31T23:59:59.999500Z', name: 'a,"b"' },
      { 'when, exactly': '2023-11-14T22:13:20.123456Z', name: 'line\nbreak' },
    ]);
  });

  it('HEAD answers 200 with the negotiated type (and no body)', async () => {
    const { sessionId } = await fixture.manager.createSession(big);
    const head = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = request(`${base}/sessions/${sessionId}/data`, {
        method: 'HEAD',
        headers: { accept: 'text/csv' },
      });
      req.on('response', (res) => {
        res.resume();
        res.on('end', () => resolve(res));
      });
      req.on('error', reject);
      req.end();
    });
    expect(head.statusCode).toBe(200);
    expect(head.headers['content-type']).toBe('text/csv; charset=utf-8');
  });

  it('a client that disconnects mid-download leaves the service answering', async () => {
    const { sessionId } = await fixture.manager.createSession(big);
    await new Promise<void>((resolve, reject) => {
      const req = get(
        `${base}/sessions/${sessionId}/data`,
        { headers: { accept: 'application/json' } },
        (res) => {
          res.once('data', () => {
            req.destroy();
            resolve();
          });
        },
      );
      req.on('error', (error: NodeJS.ErrnoException) =>
        error.code === 'ECONNRESET' ? resolve() : reject(error),
      );
    });
    const live = await download(base, '/health/live', 'application/json');
    expect(live.status).toBe(200);
  });
});

describe('streamText backpressure', () => {
  /** A Response stand-in: a PassThrough with a small buffer (write() returns false once it is full). */
  const sink = () => new PassThrough({ highWaterMark: 1024 });
  const PIECE = 'x'.repeat(4096);

  it('pulls the next piece only after the socket drained: buffered bytes stay within one piece', async () => {
    const out = sink();
    let pulled = 0;
    let maxBuffered = 0;
    function* pieces() {
      for (let k = 0; k < 200; k++) {
        maxBuffered = Math.max(maxBuffered, out.writableLength);
        pulled += 1;
        yield PIECE;
      }
    }
    const done = streamText(out as unknown as Response, pieces());
    let received = 0;
    for await (const chunk of out) received += (chunk as Buffer).length;
    await done;
    expect(pulled).toBe(200);
    expect(received).toBe(200 * PIECE.length);
    // Without backpressure all 200 pieces (800 KB) would be buffered before the reader ran.
    expect(maxBuffered).toBeLessThanOrEqual(PIECE.length);
  });

  it('yields a whole event-loop turn per piece, even when every write completes at once', async () => {
    // A socket the kernel drains instantly: 'drain' comes on the next tick, so without a real turn
    // the loop would never accept another connection until the download ended.
    const out = new Writable({
      highWaterMark: 1,
      write(_chunk, _encoding, callback) {
        process.nextTick(callback);
      },
    });
    let pulled = 0;
    function* pieces() {
      for (let k = 0; k < 200; k++) {
        pulled += 1;
        yield PIECE;
      }
    }
    let pulledWhenLoopTurned = -1;
    setImmediate(() => {
      pulledWhenLoopTurned = pulled;
    });
    await streamText(out as unknown as Response, pieces());
    expect(pulled).toBe(200);
    expect(pulledWhenLoopTurned).toBeGreaterThan(0);
    expect(pulledWhenLoopTurned).toBeLessThan(5);
  });

  it('stops pulling when the client leaves while the writer waits for drain', async () => {
    const out = sink();
    let pulled = 0;
    function* pieces() {
      for (let k = 0; k < 1000; k++) {
        pulled += 1;
        yield PIECE;
      }
    }
    const done = streamText(out as unknown as Response, pieces());
    // The first piece overfilled the buffer and nobody reads: the writer is parked on 'drain'.
    expect(pulled).toBe(1);
    out.destroy();
    await done;
    expect(pulled).toBe(1);
  });
});
