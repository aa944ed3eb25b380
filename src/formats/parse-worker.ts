import { type Table, tableToIPC } from 'apache-arrow';
import { move, transferableSymbol, valueSymbol } from 'piscina';
import { invalidInput, isStorageError } from '../contract/errors.js';
import { type BodyKind, type ParseBodyOptions, parseTableBody, parseWorkbookBody } from './parse-body.js';
import { type PackedTable, packTable } from './table-transfer.js';

/** One parse task, as the pool sends it. `kind: 'workbook'` returns every sheet. */
export interface ParseTask {
  kind: BodyKind | 'workbook';
  bytes: Uint8Array;
  options: ParseBodyOptions;
}

/**
 * What comes back, with every large buffer transferred, not copied: a table decoded from an Arrow body
 * as an IPC stream (reading it back checks its buffers against its lengths), a table the readers built
 * (CSV, JSON, xlsx) as packed column data; or the failure as plain data (errors lose their class
 * crossing threads).
 */
export type ParseReply =
  | { ok: true; tables: [name: string, table: Uint8Array | PackedTable][] }
  | { ok: false; code: string; message: string };

/**
 * The parsed table as an IPC stream for the main thread. A body can decode to a table whose lengths its
 * buffers do not back; apache-arrow then cannot write it: that is the body's fault, not the service's.
 */
function encode(name: string, table: Table): [string, Uint8Array] {
  try {
    return [name, tableToIPC(table, 'stream')];
  } catch (error) {
    throw invalidInput(
      `the body decodes to an inconsistent table (${error instanceof Error ? error.message : String(error)})`,
    );
  }
}

/** A reader failure as plain data: StorageErrors keep their code; V8 limits hit by a body are its fault. */
export function failure(error: unknown): ParseReply {
  if (isStorageError(error)) return { ok: false, code: error.code, message: error.message };
  // Deep recursion in a reader: the body nests too deeply to read, not a fault of the service.
  if (error instanceof RangeError && /call stack/i.test(error.message))
    return { ok: false, code: 'INVALID_INPUT', message: 'the body nests too deeply to read' };
  // An allocation V8 refuses (typed array, string or array past its limits): the body asks for too much.
  if (
    error instanceof RangeError &&
    /allocation failed|invalid (typed )?array length|invalid string length/i.test(error.message)
  )
    return {
      ok: false,
      code: 'PAYLOAD_TOO_LARGE',
      message: `the body needs more memory than a parse may use (${error.message})`,
    };
  return { ok: false, code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) };
}

/** The worker entry (piscina calls the default export once per task). */
export default async function parse(task: ParseTask): Promise<ParseReply | object> {
  const tables: [string, Uint8Array | PackedTable][] = [];
  const transfer = new Set<ArrayBuffer>();
  const pack = (name: string, table: Table) => {
    const { packed, transfer: buffers } = packTable(table);
    for (const buffer of buffers) transfer.add(buffer);
    tables.push([name, packed]);
  };
  try {
    if (task.kind === 'workbook') {
      const sheets = await parseWorkbookBody(task.bytes, task.options);
      for (const [name, table] of Object.entries(sheets)) pack(name, table);
    } else if (task.kind === 'arrow') {
      const ipc = encode('', await parseTableBody(task.kind, task.bytes, task.options));
      tables.push(ipc);
      transfer.add(ipc[1].buffer as ArrayBuffer);
    } else {
      pack('', await parseTableBody(task.kind, task.bytes, task.options));
    }
  } catch (error) {
    return failure(error);
  }
  const reply: ParseReply = { ok: true, tables };
  // Handed over, not copied: these buffers were made by this task and nothing in this thread keeps them.
  return move({ [transferableSymbol]: [...transfer], [valueSymbol]: reply });
}
