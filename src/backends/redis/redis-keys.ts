import { randomBytes } from 'node:crypto';
import { randomId } from '../../contract/ids.js';

/**
 * Key layout (§7, docs/redis-layout.md). Every key of one session or upload carries the hash tag `{<id>}`,
 * so all of them live in one Cluster slot and one Lua script may touch them together.
 * The Lua scripts derive the same names from the state/upload key; keep both in step.
 */
export class RedisKeys {
  constructor(readonly prefix: string) {}

  /** `<prefix>{<id>}:` — the common start of every key of one session or upload. */
  base(id: string): string {
    return `${this.prefix}{${id}}:`;
  }

  /** Session state hash: version, current frame, history and redo stacks, TTL. */
  state(id: string): string {
    return `${this.base(id)}state`;
  }

  /** Audit log list (JSON entries, oldest first). */
  audit(id: string): string {
    return `${this.base(id)}audit`;
  }

  /** Intentional-missing marks hash (`<row>:<column>` → JSON). */
  marks(id: string): string {
    return `${this.base(id)}marks`;
  }

  /** Metadata hash (field → JSON value). */
  meta(id: string): string {
    return `${this.base(id)}meta`;
  }

  /** Column names per frame id (JSON list), for checking marks without decoding frames. */
  schema(id: string): string {
    return `${this.base(id)}schema`;
  }

  /**
   * The hash of every blob of a session (whole frames, column chunks): one key, so sliding the TTL and
   * noticing eviction cost one command however many chunks a session holds.
   */
  frames(id: string): string {
    return `${this.base(id)}frames`;
  }

  /** Where a blob too large to travel inside the commit call waits for it (a string key with its own TTL). */
  stageKeys(id: string, frameId: string, chunks: number): string[] {
    return frameFields(frameId, chunks).map((field) => `${this.base(id)}stage:${field}`);
  }

  /** Redlock resource of a session (its own short TTL, not the session TTL). */
  lock(id: string): string {
    return `${this.base(id)}lock`;
  }

  /** Temp upload hash: filename, sheets (name → frame id), TTL. */
  upload(uploadId: string): string {
    return `${this.base(uploadId)}upload`;
  }

  sheetKeys(uploadId: string, frameId: string, chunks: number): string[] {
    return chunkKeys(`${this.base(uploadId)}sheet:${frameId}`, chunks);
  }

  /** Advisory index of session ids (sorted set scored by creation time); lives in its own slot. */
  get sessionIndex(): string {
    return `${this.prefix}index:sessions`;
  }

  /** Advisory index of temp upload ids. */
  get uploadIndex(): string {
    return `${this.prefix}index:uploads`;
  }
}

/** Fields of one blob in the frames hash: `<fid>`, or `<fid>:<i>` when stored in `chunks` parts. */
export function frameFields(frameId: string, chunks: number): string[] {
  return chunkKeys(frameId, chunks);
}

function chunkKeys(stem: string, chunks: number): string[] {
  if (chunks <= 1) return [stem];
  return Array.from({ length: chunks }, (_, index) => `${stem}:${index}`);
}

/** A new frame id: 72 random bits, URL-safe; unique within a session. */
export function newFrameId(): string {
  return randomId(9);
}

const CRC16_TABLE = (() => {
  const table = new Uint16Array(256);
  for (let byte = 0; byte < 256; byte += 1) {
    let crc = byte << 8;
    for (let bit = 0; bit < 8; bit += 1)
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    table[byte] = crc;
  }
  return table;
})();

/** The Redis Cluster slot of a hash tag (CRC16/XMODEM mod 16384), as Redis computes it. */
export function slotOf(tag: string): number {
  let crc = 0;
  for (const byte of Buffer.from(tag, 'utf8')) {
    crc = ((crc << 8) ^ (CRC16_TABLE[((crc >> 8) ^ byte) & 0xff] ?? 0)) & 0xffff;
  }
  return crc % 16384;
}

/**
 * A fresh 128-bit random id whose hash tag falls into `slot`. On Cluster, promoting a temp sheet writes the
 * new session and deletes the upload in one script, which Redis allows only within one slot. Conditioning on
 * the slot costs 14 of the 128 random bits and ~16k CRC16 evaluations (about a millisecond).
 */
export function newIdInSlot(slot: number): string {
  for (;;) {
    const pool = randomBytes(16 * 4096);
    for (let offset = 0; offset < pool.length; offset += 16) {
      const id = pool.subarray(offset, offset + 16).toString('base64url');
      if (slotOf(id) === slot) return id;
    }
  }
}
