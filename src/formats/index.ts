// Table readers usable without the HTTP layer.
export { CSV_DELIMITER_NAMES, CSV_DELIMITERS, type CsvDelimiter } from './csv-delimiter.js';
export { type CsvReadOptions, DEFAULT_MAX_COLUMNS, decodeText, readCsv } from './csv-read.js';
// Writers: exact cell text, whole or as a sequence of pieces for streaming.
export { tableToCsv, tableToCsvChunks } from './csv-write.js';
export { type JsonRowsReadOptions, readJsonRows } from './json-read.js';
export { MAX_JSON_DEPTH } from './json-scan.js';
export { tableToJsonChunks, tableToJsonRows } from './json-write.js';
// Spreadsheets: every non-empty sheet of an .xlsx file (zip-bomb and cell caps checked before unpacking).
export { type XlsxLimits, xlsxToTables as readXlsx } from './xlsx-read.js';
