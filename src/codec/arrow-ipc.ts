import { type Table, tableFromIPC, tableToIPC } from 'apache-arrow';
import { corruptData, invalidInput } from '../contract/errors.js';

// Arrow's end-of-stream marker: continuation token 0xFFFFFFFF, then a zero metadata length.
const END_OF_STREAM = Buffer.from('ffffffff00000000', 'hex');

/** Table -> Arrow IPC stream bytes (a Buffer view over Arrow's output, no copy). */
export function tableToArrowIpc(table: Table): Buffer {
  let bytes: Uint8Array;
  try {
    bytes = tableToIPC(table, 'stream');
  } catch (error) {
    throw invalidInput('table cannot be written as Arrow IPC (unsupported type?)', error);
  }
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Arrow IPC stream bytes -> Table. The Table's buffers are views into `bytes`. */
export function tableFromArrowIpc(bytes: Buffer): Table {
  // Arrow's reader stops quietly at a cut; requiring the end marker turns a short stream into an error
  // instead of a table with missing batches.
  if (bytes.length < END_OF_STREAM.length || !bytes.subarray(-END_OF_STREAM.length).equals(END_OF_STREAM)) {
    throw corruptData('Arrow IPC stream has no end-of-stream marker (truncated payload)');
  }
  try {
    return tableFromIPC(bytes);
  } catch (error) {
    throw corruptData('frame payload is not a valid Arrow IPC stream', error);
  }
}
