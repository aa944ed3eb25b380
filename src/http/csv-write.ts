/** The CSV writer lives with the other table formats; this path stays for existing importers. */
export { csvField, tableToCsv, tableToCsvChunks } from '../formats/csv-write.js';
