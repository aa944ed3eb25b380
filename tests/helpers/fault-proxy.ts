import net from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 in front of a real server, for fault tests: it forwards bytes both ways and can
 * add latency, black-hole traffic, reset every connection, or swallow the reply to one matching request and
 * reset that connection (the "write ran, reply lost" case).
 */
export interface FaultProxy {
  readonly port: number;
  readonly url: string;
  /** Delay added to every forwarded chunk, both directions. */
  setLatency(ms: number): void;
  /** While on, nothing is forwarded (connections stay open: a half-open peer). */
  setBlackhole(on: boolean): void;
  /** Destroys every open connection now (clients see ECONNRESET). */
  resetAll(): void;
  /**
   * The next client chunk for which `match` is true is forwarded to the server; the server's reply to it is
   * dropped and the client connection destroyed. Resolves when that happened.
   */
  swallowNextReply(match: (request: Buffer) => boolean): Promise<void>;
  /** Connections accepted so far. */
  readonly connections: number;
  close(): Promise<void>;
}

interface Pair {
  client: net.Socket;
  server: net.Socket;
}

export async function startFaultProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<FaultProxy> {
  const pairs = new Set<Pair>();
  let latencyMs = 0;
  let blackhole = false;
  let accepted = 0;
  let swallow: { match: (request: Buffer) => boolean; done: () => void } | undefined;

  const forward = (to: net.Socket, chunk: Buffer) => {
    if (blackhole) return;
    if (latencyMs === 0) to.write(chunk);
    else setTimeout(() => to.destroyed || to.write(chunk), latencyMs);
  };

  const server = net.createServer((client) => {
    accepted += 1;
    const upstream = net.connect(targetPort, targetHost);
    const pair: Pair = { client, server: upstream };
    pairs.add(pair);
    let armed: (() => void) | undefined;
    client.on('data', (chunk: Buffer) => {
      if (swallow?.match(chunk)) {
        armed = swallow.done;
        swallow = undefined;
      }
      forward(upstream, chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (armed !== undefined) {
        // The server has run the request; its reply never reaches the client.
        const done = armed;
        armed = undefined;
        client.destroy();
        upstream.destroy();
        done();
        return;
      }
      forward(client, chunk);
    });
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end);
    upstream.on('close', end);
    client.on('error', end);
    upstream.on('error', end);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;

  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    get connections() {
      return accepted;
    },
    setLatency: (ms) => {
      latencyMs = ms;
    },
    setBlackhole: (on) => {
      blackhole = on;
    },
    resetAll: () => {
      for (const pair of pairs) {
        pair.client.resetAndDestroy();
        pair.server.destroy();
      }
    },
    swallowNextReply: (match) =>
      new Promise<void>((resolve) => {
        swallow = { match, done: resolve };
      }),
    close: async () => {
      for (const pair of pairs) {
        pair.client.destroy();
        pair.server.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
