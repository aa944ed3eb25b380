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
 * (so memory holds one piece, never the whole body), yields to the event loop between pieces (so a big
 * download never starves other requests), and stops quietly when the client disconnects.
 */
export async function streamText(res: Response, pieces: Iterable<string>): Promise<void> {
  if (res.destroyed) return;
  for (const piece of pieces) {
    await (res.write(piece) ? nextTurn() : writable(res));
    // Checked before the next piece is made, so a departed client costs no more formatting.
    if (res.destroyed) return;
  }
  res.end();
}
