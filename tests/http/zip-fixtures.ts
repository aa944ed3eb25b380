import ExcelJS from 'exceljs';

/** A one-sheet workbook whose few kilobytes unpack to about `unpackedBytes` (one long, repetitive string). */
export async function compressibleWorkbook(unpackedBytes: number): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('bomb');
  sheet.addRow(['text']);
  sheet.addRow(['a'.repeat(unpackedBytes)]);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** A one-sheet workbook of `rows` × 4 small numbers under a header row (4 × (rows + 1) cells). */
export async function numberGridWorkbook(rows: number): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('grid');
  sheet.addRow(['a', 'b', 'c', 'd']);
  for (let i = 0; i < rows; i++) sheet.addRow([i, i + 1, i + 2, i + 3]);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

const END = 0x06054b50;
const CENTRAL = 0x02014b50;

/** Offset of the end-of-central-directory record and the directory's offset. */
function directory(zip: Buffer): { end: number; offset: number; size: number; count: number } {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (end < 0 || zip.readUInt32LE(end) !== END) throw new Error('fixture is not a zip');
  return {
    end,
    count: zip.readUInt16LE(end + 10),
    size: zip.readUInt32LE(end + 12),
    offset: zip.readUInt32LE(end + 16),
  };
}

/** A copy of `zip` whose central-directory entry `name` declares `uncompressedSize` instead of its real size. */
export function withDeclaredSize(zip: Buffer, name: string, uncompressedSize: number): Buffer {
  const copy = Buffer.from(zip);
  let at = directory(copy).offset;
  while (copy.readUInt32LE(at) === CENTRAL) {
    const nameLength = copy.readUInt16LE(at + 28);
    if (copy.toString('utf8', at + 46, at + 46 + nameLength) === name) {
      copy.writeUInt32LE(uncompressedSize, at + 24);
      return copy;
    }
    at += 46 + nameLength + copy.readUInt16LE(at + 30) + copy.readUInt16LE(at + 32);
  }
  throw new Error(`no entry ${name}`);
}

/** A copy of `zip` whose end record points its directory `delta` bytes away from where it is. */
export function withDirectoryOffsetMovedBy(zip: Buffer, delta: number): Buffer {
  const copy = Buffer.from(zip);
  const { end, offset } = directory(copy);
  copy.writeUInt32LE(offset + delta, end + 16);
  return copy;
}

/** The same archive with a zip64 end record and locator, and the classic end record's fields set to "see zip64". */
export function asZip64(zip: Buffer): Buffer {
  const { end, offset, size, count } = directory(zip);
  const record = Buffer.alloc(56);
  record.writeUInt32LE(0x06064b50, 0);
  record.writeBigUInt64LE(44n, 4); // size of the rest of the record
  record.writeUInt16LE(45, 12);
  record.writeUInt16LE(45, 14);
  record.writeBigUInt64LE(BigInt(count), 24);
  record.writeBigUInt64LE(BigInt(count), 32);
  record.writeBigUInt64LE(BigInt(size), 40);
  record.writeBigUInt64LE(BigInt(offset), 48);
  const locator = Buffer.alloc(20);
  locator.writeUInt32LE(0x07064b50, 0);
  locator.writeBigUInt64LE(BigInt(offset + size), 8);
  locator.writeUInt32LE(1, 16);
  const classic = Buffer.from(zip.subarray(end));
  classic.writeUInt16LE(0xffff, 8);
  classic.writeUInt16LE(0xffff, 10);
  classic.writeUInt32LE(0xffffffff, 12);
  classic.writeUInt32LE(0xffffffff, 16);
  return Buffer.concat([zip.subarray(0, offset + size), record, locator, classic]);
}
