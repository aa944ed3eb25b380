import type { SessionSnapshot, StorageBackend } from '../../src/contract/storage-backend.js';
import { blobsOf, currentFrameOf, snapshotFrames } from '../../src/session/chunks/manifest.js';

/** Every blob a snapshot's frames name (whole frames, or their column chunks), each once, sorted. */
export function snapshotBlobs(snapshot: SessionSnapshot): string[] {
  return [...new Set(snapshotFrames(snapshot).flatMap((frame) => blobsOf(frame)))].sort();
}

/** The blobs a session's current frame is stored in. */
export function currentBlobs(snapshot: SessionSnapshot): string[] {
  return blobsOf(currentFrameOf(snapshot));
}

/** What a live session references right now (read through an export, which does not slide the TTL). */
export async function sessionBlobs(backend: StorageBackend, id: string): Promise<string[]> {
  return snapshotBlobs(await backend.exportSession(id));
}
