/**
 * A realistic CSV for the reader benchmark: ints, floats with blanks, short strings, booleans, ISO
 * dates and timestamps, ~75 bytes a row (200k rows ≈ 15 MB). Deterministic (seeded LCG).
 */
export function makeCsvFixture(rows: number, seed = 1): Buffer {
  let state = seed >>> 0;
  const next = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
  const cities = ['Málaga', 'Berlin', 'São Paulo', 'Tokyo', 'Lagos', 'Québec', 'Oslo', 'Lima'];
  const lines: string[] = ['id,qty,price,score,city,name,paid,day,at'];
  const day0 = Date.UTC(2015, 0, 1);
  for (let i = 0; i < rows; i++) {
    const price = next() < 0.1 ? '' : (next() * 1000).toFixed(2);
    const score = next() < 0.05 ? '' : (next() * 2 - 1).toFixed(5);
    const when = day0 + Math.floor(next() * 3650) * 86_400_000;
    const stamp = new Date(when + Math.floor(next() * 86_400_000)).toISOString().slice(0, 19);
    lines.push(
      [
        100000 + i,
        Math.floor(next() * 500) - 100,
        price,
        score,
        cities[Math.floor(next() * cities.length)],
        `cust_${Math.floor(next() * 1e6).toString(36)}`,
        next() < 0.5 ? 'true' : 'false',
        new Date(when).toISOString().slice(0, 10),
        stamp,
      ].join(','),
    );
  }
  return Buffer.from(`${lines.join('\n')}\n`);
}
