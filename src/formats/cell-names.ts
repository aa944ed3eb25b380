/**
 * Unique, non-empty column names: blanks become `column_<n>` (1-based, like spreadsheets label them)
 * and repeats get `.1`, `.2`… (as pandas does), so no column is lost or ambiguous. Linear: each base
 * name remembers the next suffix to try, and a candidate `base.n` is skipped at most once, since only
 * that base can produce it.
 */
export function headerNames(raw: readonly unknown[]): string[] {
  const taken = new Set<string>();
  const nextSuffix = new Map<string, number>();
  const names: string[] = new Array(raw.length);
  for (let index = 0; index < raw.length; index++) {
    const value = raw[index];
    const text = value === null || value === undefined ? '' : String(value);
    const base = text.trim() === '' ? `column_${index + 1}` : text;
    let name = base;
    if (taken.has(name)) {
      let n = nextSuffix.get(base) ?? 1;
      while (taken.has(`${base}.${n}`)) n++;
      name = `${base}.${n}`;
      nextSuffix.set(base, n + 1);
    }
    taken.add(name);
    names[index] = name;
  }
  return names;
}
