import { type Table, tableFromIPC } from 'apache-arrow';
import { type ArrowInputLimits, validateArrowIpc } from '../codec/arrow-validate.js';
import { invalidInput } from '../contract/errors.js';

/**
 * Arrow IPC (stream, or file format) request body → Table. The body is validated first
 * (validateArrowIpc), so apache-arrow never allocates from a claim the bytes cannot back;
 * anything still unreadable is the client's INVALID_INPUT.
 */
export function arrowToTable(bytes: Uint8Array, limits: ArrowInputLimits): Table {
  validateArrowIpc(bytes, limits);
  let table: Table;
  try {
    table = tableFromIPC(bytes);
  } catch (error) {
    throw invalidInput('request body is not a readable Arrow IPC stream', error);
  }
  if (table.schema.fields.length === 0) throw invalidInput('Arrow IPC body has no columns');
  return table;
}
