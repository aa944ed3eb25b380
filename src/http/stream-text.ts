import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Response } from 'express';

/** Resolves when the socket wants more ('drain') or will never want more ('close': the client left). */
function writable(res: Response): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/**
 * Writes text pieces to the response one at a time: waits for 'drain' when the socket buffer is full
 * (so memory holds one piece, never the whole body), and stops quietly when the client disconnects.
 * After every piece it also yields a full event-loop turn: when the kernel takes a write at once,
 * 'drain' arrives on the next tick, and a chain of ticks would never let the loop accept another
 * connection (one download froze /health/live for its whole duration before this).
 */
export async function streamText(res: Response, pieces: Iterable<string>): Promise<void> {
  if (res.destroyed) return;
  for (const piece of pieces) {
    if (!res.write(piece)) await writable(res);
    await nextTurn();
    // Checked before the next piece is made, so a departed client costs no more formatting.
    if (res.destroyed) return;
  }
  res.end();
}
