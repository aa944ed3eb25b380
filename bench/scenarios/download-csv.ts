/** A deterministic CSV that looks like a real export: ids, names, emails, cities, amounts, flags, dates, notes. */
const CITIES = ['Madrid', 'Málaga', 'New York', 'São Paulo', 'Zürich', 'Osaka', 'Lagos', 'Lima'];
const WORDS = ['late', 'paid', 'refund', 'gift', 'urgent', 'bulk', 'retail', 'promo', 'export', 'vip'];

/** About 75 bytes a row: 200,000 rows ≈ 15 MB. */
export function realisticCsv(rows: number, seed = 11): string {
  let state = seed;
  const rand = () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
  const lines = ['id,customer,email,city,amount,quantity,paid,order_date,note'];
  const day0 = Date.UTC(2015, 0, 1);
  for (let i = 0; i < rows; i++) {
    const amount = rand() < 0.05 ? '' : (rand() * 5000).toFixed(2);
    const date = new Date(day0 + Math.floor(rand() * 3650) * 86_400_000).toISOString().slice(0, 10);
    const customer = Math.floor(rand() * 50_000);
    const note = rand() < 0.3 ? `"${WORDS[i % 10]}, ${WORDS[(i * 7) % 10]}"` : '';
    lines.push(
      `${i + 1},customer ${customer},c${customer}@example.com,${CITIES[i % 8]},${amount},${1 + Math.floor(rand() * 20)},${rand() < 0.5},${date},${note}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
