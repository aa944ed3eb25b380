import { makeData, RecordBatch, Struct, Table } from 'apache-arrow';
import { corruptData, invalidInput, StorageError } from '../contract/errors.js';
import { dataFromJson } from './json-decode.js';
import { columnToJson, type JsonValue } from './json-encode.js';
import { schemaFromJson, schemaToJson } from './json-types.js';

/**
 * SERIALIZATION_METHOD=json: one readable JSON document with the full Arrow schema (types, nullability,
 * metadata) and the values column by column, so a round trip is type-exact. Record batch boundaries and
 * dictionary order are not kept; values are.
 */
const FORMAT = 'framestore.table+json';
const VERSION = 1;

interface JsonDocument {
  format: typeof FORMAT;
  version: number;
  schema: ReturnType<typeof schemaToJson>;
  rows: number;
  columns: JsonValue[][];
}

/** Table -> JSON document bytes. INVALID_INPUT when a column's type cannot be carried exactly. */
export function tableToJsonDocument(table: Table): Buffer {
  const schema = schemaToJson(table.schema);
  try {
    const document: JsonDocument = {
      format: FORMAT,
      version: VERSION,
      schema,
      rows: table.numRows,
      columns: table.schema.fields.map((_, k) => columnToJson(table.getChildAt(k)!)),
    };
    return Buffer.from(JSON.stringify(document), 'utf8');
  } catch (error) {
    // V8 strings stop at ~512 MB: past that the document cannot exist, whatever MAX_DATAFRAME_SIZE_MB says.
    if (error instanceof RangeError) {
      throw new StorageError(
        'PAYLOAD_TOO_LARGE',
        'table is too large for SERIALIZATION_METHOD=json; use arrow',
        {
          cause: error,
        },
      );
    }
    throw invalidInput('table could not be written as JSON', error);
  }
}

function parseDocument(bytes: Buffer): Partial<JsonDocument> {
  try {
    const parsed: unknown = JSON.parse(bytes.toString('utf8'));
    if (typeof parsed === 'object' && parsed !== null) return parsed as Partial<JsonDocument>;
  } catch (error) {
    throw corruptData('frame payload is not valid JSON', error);
  }
  throw corruptData('frame payload is not a JSON table document');
}

/** JSON document bytes -> Table. CORRUPT_DATA when the document is malformed. */
export function tableFromJsonDocument(bytes: Buffer): Table {
  const document = parseDocument(bytes);
  if (document.format !== FORMAT || document.version !== VERSION) {
    throw corruptData('frame payload is not a supported JSON table document');
  }
  const schema = schemaFromJson(document.schema);
  const { rows, columns } = document;
  if (
    typeof rows !== 'number' ||
    !Array.isArray(columns) ||
    columns.length !== schema.fields.length ||
    columns.some((column) => !Array.isArray(column) || column.length !== rows)
  ) {
    throw corruptData('JSON table document columns do not match its schema and row count');
  }
  try {
    const children = schema.fields.map((field, k) => dataFromJson(field.type, columns[k]!));
    const batch = new RecordBatch(
      schema,
      makeData({ type: new Struct(schema.fields), length: rows, nullCount: 0, children }),
    );
    return new Table(schema, [batch]);
  } catch (error) {
    if (error instanceof StorageError) throw error;
    throw corruptData('JSON table document could not be rebuilt into a table', error);
  }
}
