import { type Data, type Table, Vector } from 'apache-arrow';

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
    // arrow-js builds some empty tables with Vectors (not Data) as struct children: walk their chunks too.
    for (const child of data.children as unknown[]) {
      if (child instanceof Vector) for (const chunk of child.data) visit(chunk);
      else visit(child as Data);
    }
    // Batches usually share one dictionary vector; count it once.
    if (data.dictionary && !seen.has(data.dictionary)) {
      seen.add(data.dictionary);
      for (const chunk of data.dictionary.data) visit(chunk);
    }
  };
  for (const chunk of table.data) visit(chunk);
  return total;
}
