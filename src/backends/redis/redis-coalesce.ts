/**
 * Same-turn coalescing of small session calls. Calls for one session (and one fencing guard) that arrive in
 * the same event-loop turn go to Redis as one script call: appends become one multi-entry append (one
 * script, one seq range, in call order), reads share one answer. A call only ever joins a batch that has not
 * been sent yet, so it still sees every write that completed before it was made.
 */
export class SameTurnBatches<I, R> {
  private readonly open = new Map<string, { items: I[]; waiters: Waiter<R>[] }>();

  constructor(private readonly send: (key: string, items: I[]) => Promise<R[]>) {}

  /** Queues `item` under `key`; resolves with this item's share of the batch's result. */
  add(key: string, item: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      let batch = this.open.get(key);
      if (batch === undefined) {
        batch = { items: [], waiters: [] };
        this.open.set(key, batch);
        setImmediate(() => this.flush(key));
      }
      batch.items.push(item);
      batch.waiters.push({ resolve, reject });
    });
  }

  private flush(key: string): void {
    const batch = this.open.get(key);
    if (batch === undefined) return;
    this.open.delete(key);
    this.send(key, batch.items).then(
      (results) => {
        batch.waiters.forEach((waiter, index) => {
          waiter.resolve(results[Math.min(index, results.length - 1)] as R);
        });
      },
      (error: unknown) => {
        for (const waiter of batch.waiters) waiter.reject(error);
      },
    );
  }
}

interface Waiter<R> {
  resolve: (value: R) => void;
  reject: (error: unknown) => void;
}
