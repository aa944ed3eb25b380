import type { Data, Table } from 'apache-arrow';

/** Approximate in-memory bytes of a table: the sum of its buffers, each dictionary counted once. */
export function tableMemoryBytes(table: Table): number {
  const seen = new Set<unknown>();
  let total = 0;
  const visit = (data: Data): void => {
    if (seen.has(data)) return;
    seen.add(data);
    total += data.values?.byteLength ?? 0;
    total += data.valueOffsets?.byteLength ?? 0;
    total += data.nullBitmap?.byteLength ?? 0;
    total += data.typeIds?.byteLength ?? 0;
    for (const child of data.children) visit(child);
    // Batches usually share one dictionary vector; count it once.
    if (data.dictionary && !seen.has(data.dictionary)) {
      seen.add(data.dictionary);
      for (const chunk of data.dictionary.data) visit(chunk);
    }
  };
  for (const chunk of table.data) visit(chunk);
  return total;
}
