import { LRUCache } from 'lru-cache';
import { corruptData } from '../../contract/errors.js';
import type { FrameManifest } from '../../session/chunks/manifest.js';
import { readSmallSync, removeFileQuietSync, writeImmutableSync } from './inmemory-files.js';
import type { InMemoryLayout } from './inmemory-layout.js';
import { manifestFile, manifestsOf, type SessionState, validManifest } from './inmemory-state.js';

/**
 * Frame manifests in their side files (state format 2, inmemory-state.ts): read once per session/frame id
 * (a manifest never changes under its frame id), written by the commit that first names the frame.
 */
export class DiskManifests {
  private readonly cache = new LRUCache<string, FrameManifest>({ max: 4096 });

  constructor(private readonly layout: InMemoryLayout) {}

  read(id: string, frameId: string): FrameManifest {
    const key = `${id}/${frameId}`;
    const known = this.cache.get(key);
    if (known !== undefined) return known;
    const bytes = readSmallSync(this.layout.blobPath(id, manifestFile(frameId)));
    if (bytes === undefined) throw corruptData(`session ${id}: the manifest of frame ${frameId} is missing`);
    let raw: unknown;
    try {
      raw = JSON.parse(bytes.toString('utf8'));
    } catch (error) {
      throw corruptData(`session ${id}: the manifest of frame ${frameId} is not valid JSON`, error);
    }
    const manifest = validManifest(raw, id);
    this.cache.set(key, manifest);
    return manifest;
  }

  /**
   * Writes (fsynced; the commit fsyncs the folder) the side file of every manifest `next` names that
   * `previous` did not hold in a side file — new frames, and all of them once for a format-1 state. A file
   * left by a commit that did not land is replaced: its content is the same, but it may be torn.
   */
  writeNew(id: string, previous: SessionState | undefined, next: SessionState, written: string[]): void {
    const stored = previous?.format === 2 ? manifestsOf(previous) : new Map<string, FrameManifest>();
    for (const [frameId, manifest] of manifestsOf(next)) {
      if (stored.has(frameId)) continue;
      const file = this.layout.blobPath(id, manifestFile(frameId));
      removeFileQuietSync(file);
      written.push(file);
      writeImmutableSync(file, JSON.stringify(manifest));
      this.cache.set(`${id}/${frameId}`, manifest);
    }
  }
}
