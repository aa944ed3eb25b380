import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';

/**
 * File primitives of the embedded store. Small files (state, marks, audit, touch) use synchronous calls on
 * purpose: they are a few KB, and a threadpool round trip per call costs more than the I/O itself (it doubled
 * the commit latency in measurements). Frame files, which can be large, are written asynchronously.
 */

export const TEMP_PREFIX = '.tmp-';

const isMissing = (error: unknown): boolean => {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
};

/** Contents of a small file, or undefined when it does not exist. */
export function readSmallSync(file: string): Buffer | undefined {
  try {
    return fs.readFileSync(file);
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

/** Contents of a (possibly large) file, or undefined when it does not exist. */
export async function readFileIfExists(file: string): Promise<Buffer | undefined> {
  try {
    return await fsp.readFile(file);
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

/** Makes created, renamed or removed entries of `dir` durable (sync variant for the commit path). */
export function fsyncDirSync(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Makes created, renamed or removed entries of `dir` durable. */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await fsp.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * The commit point of the store: temp file -> fsync -> rename over `target` -> fsync the directory.
 * A crash at any moment leaves either the old or the new content under `target`, never a mix.
 */
export function commitFileSync(target: string, data: Uint8Array | string): void {
  const dir = path.dirname(target);
  const temp = path.join(dir, `${TEMP_PREFIX}${randomBytes(6).toString('hex')}`);
  const fd = fs.openSync(temp, 'wx');
  try {
    fs.writeFileSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    fs.renameSync(temp, target);
  } catch (error) {
    fs.rmSync(temp, { force: true });
    throw error;
  }
  fsyncDirSync(dir);
}

/** Writes a new immutable file durably (its directory entry is made durable by a later fsyncDir). */
export async function writeImmutable(target: string, data: Uint8Array): Promise<void> {
  const handle = await fsp.open(target, 'wx');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * A content-addressed file (a column chunk): written beside its name and renamed over it, so a leftover of a
 * crashed commit under the same name is replaced, never trusted or refused.
 */
export async function writeReplacing(target: string, data: Uint8Array): Promise<void> {
  const temp = path.join(path.dirname(target), `${TEMP_PREFIX}${randomBytes(6).toString('hex')}`);
  try {
    await writeImmutable(temp, data);
    await fsp.rename(temp, target);
  } catch (error) {
    await fsp.rm(temp, { force: true });
    throw error;
  }
}

/** A small file read in one synchronous call (a column chunk: no four thread-pool hops per file). */
export function readSmallFileIfExists(file: string): Buffer | undefined {
  try {
    return fs.readFileSync(file);
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

/** Small immutable file, written synchronously and fsynced (its directory is fsynced by the commit). */
export function writeImmutableSync(target: string, data: Uint8Array | string): void {
  const fd = fs.openSync(target, 'wx');
  try {
    fs.writeFileSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Writes `data` at byte `offset` of an append-only log and cuts anything after it (a crashed writer's
 * uncommitted tail), then fsyncs. Returns the new committed length.
 */
export function appendAtSync(file: string, offset: number, data: Buffer): number {
  const fd = fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o644);
  try {
    let written = 0;
    while (written < data.length) {
      written += fs.writeSync(fd, data, written, data.length - written, offset + written);
    }
    fs.ftruncateSync(fd, offset + data.length);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  return offset + data.length;
}

/** The first `length` bytes of a file (the committed prefix of an append-only log). */
export function readPrefixSync(file: string, length: number): Buffer | undefined {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
  try {
    const buffer = Buffer.allocUnsafe(length);
    let read = 0;
    while (read < length) {
      const n = fs.readSync(fd, buffer, read, length - read, read);
      if (n === 0) break;
      read += n;
    }
    return buffer.subarray(0, read);
  } finally {
    fs.closeSync(fd);
  }
}

/** mtime in ms, or undefined when the file does not exist. */
export function mtimeMsSync(file: string): number | undefined {
  return fs.statSync(file, { throwIfNoEntry: false })?.mtimeMs;
}

/** Sets a file's mtime, the cheap way to record "last access"; `create` makes the file when missing. */
export function touchSync(file: string, atMs: number, create: boolean): void {
  const at = new Date(atMs);
  try {
    fs.utimesSync(file, at, at);
  } catch (error) {
    if (!create || !isMissing(error)) throw error;
    fs.closeSync(fs.openSync(file, 'a'));
    fs.utimesSync(file, at, at);
  }
}

/** Entry names of a directory ([] when it does not exist). */
export async function listNames(dir: string): Promise<string[]> {
  try {
    return await fsp.readdir(dir);
  } catch (error) {
    if (isMissing(error)) return [];
    throw error;
  }
}

export function removeFileQuietSync(file: string): void {
  try {
    fs.rmSync(file, { force: true });
  } catch {
    // Best effort: an unreferenced file left behind is collected by the next sweep.
  }
}

/**
 * Removes a directory tree with one atomic step (a rename into trash/), then deletes it at leisure.
 * Returns false when `dir` did not exist.
 */
export async function removeTree(dir: string, trashDir: string): Promise<boolean> {
  fs.mkdirSync(trashDir, { recursive: true });
  const parked = path.join(trashDir, `${path.basename(dir)}-${randomBytes(6).toString('hex')}`);
  try {
    fs.renameSync(dir, parked);
  } catch (error) {
    if (isMissing(error)) return false;
    throw error;
  }
  fsyncDirSync(path.dirname(dir));
  await fsp.rm(parked, { recursive: true, force: true });
  return true;
}

/** Hard-links an immutable file into place (a copy across file systems). No bytes move through Node. */
export async function linkImmutable(source: string, target: string): Promise<void> {
  try {
    await fsp.link(source, target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
    await fsp.copyFile(source, target, fs.constants.COPYFILE_EXCL);
  }
}
