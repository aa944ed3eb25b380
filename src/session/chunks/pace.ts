/**
 * Lets the event loop run every few ms of chunk work. A wide table (10k columns is within MAX_COLUMNS) is
 * tens of thousands of chunks; one synchronous pass over them (encode, decode, read) held the loop for
 * hundreds of ms to over a second, and /health/live with it. Call the returned function after each
 * chunk: it yields (setImmediate) once `sliceMs` have passed since the last yield, else returns at once.
 */
export function pacer(sliceMs = 8): () => Promise<void> {
  let since = performance.now();
  return async () => {
    if (performance.now() - since < sliceMs) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    since = performance.now();
  };
}
