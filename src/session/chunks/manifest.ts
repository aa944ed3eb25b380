import { z } from 'zod';

/**
 * A chunked frame (docs/chunks.md): the frame is this manifest, its values live in immutable column chunks.
 * Every column is cut at the same row boundaries (multiples of `chunkRows`), so range r of every column covers
 * the same rows and a table is rebuilt batch by batch without re-slicing. Chunk ids come from the chunk's
 * encoded bytes, so two frames of a session holding the same values name the same chunk.
 */
export interface FrameManifest {
  rows: number;
  /** Rows per chunk; the last range may be shorter. A frame with no rows still has one (empty) range. */
  chunkRows: number;
  columns: ManifestColumn[];
  /** The schema's own metadata, when it has any (field metadata travels inside each chunk). */
  metadata?: Record<string, string>;
}

export interface ManifestColumn {
  name: string;
  /** One chunk id per row range. */
  chunks: string[];
  /** Stored bytes of each chunk (header + payload). */
  bytes: number[];
}

/** 'x' + 22 base64url characters (128 bits): never the 16 characters of a random whole-frame id. */
export const CHUNK_ID_PATTERN = /^x[A-Za-z0-9_-]{22}$/;

export const isChunkId = (id: string): boolean => CHUNK_ID_PATTERN.test(id);

export const manifestSchema: z.ZodType<FrameManifest> = z
  .object({
    rows: z.number().int().nonnegative(),
    chunkRows: z.number().int().positive(),
    columns: z.array(
      z.object({
        name: z.string(),
        chunks: z.array(z.string().regex(CHUNK_ID_PATTERN)),
        bytes: z.array(z.number().int().nonnegative()),
      }),
    ),
    metadata: z.record(z.string(), z.string()).optional(),
  })
  .refine(
    (m) => m.columns.every((c) => c.chunks.length === c.bytes.length && c.chunks.length > 0),
    'every column names one chunk (and its size) per row range',
  )
  .refine(
    (m) => m.columns.every((c) => c.chunks.length === rangeCount(m.rows, m.chunkRows)),
    'every column has one chunk per row range',
  );

/** How many row ranges `rows` rows take (at least one, so an empty frame keeps its column types). */
export const rangeCount = (rows: number, chunkRows: number): number =>
  Math.max(1, Math.ceil(rows / chunkRows));

/** The stored blobs of a frame: its chunks, or the frame itself in the whole-frame format. */
export function blobsOf(frame: { frameId: string; manifest?: FrameManifest }): string[] {
  if (frame.manifest === undefined) return [frame.frameId];
  return frame.manifest.columns.flatMap((column) => column.chunks);
}

/** Row ranges [first, last] of a manifest that rows [offset, offset + limit) touch (empty when limit is 0). */
export function rangesFor(
  rows: number,
  chunkRows: number,
  offset: number,
  limit: number,
): { first: number; last: number } | undefined {
  const end = Math.min(rows, offset + limit);
  if (end <= offset) return undefined;
  return { first: Math.floor(offset / chunkRows), last: Math.floor((end - 1) / chunkRows) };
}

/** A frame as snapshots and records name it: an id, and the manifest when it is chunked. */
export interface FrameOf {
  frameId: string;
  manifest?: FrameManifest;
}

/** A snapshot's current frame as a FrameOf (snapshots keep its manifest beside its id). */
export function currentFrameOf(snapshot: {
  currentFrameId: string;
  currentManifest?: FrameManifest;
}): FrameOf {
  return {
    frameId: snapshot.currentFrameId,
    ...(snapshot.currentManifest !== undefined ? { manifest: snapshot.currentManifest } : {}),
  };
}

/** Every frame a snapshot names: current, then history, then redo. */
export function snapshotFrames(snapshot: {
  currentFrameId: string;
  currentManifest?: FrameManifest;
  history: FrameOf[];
  redo: FrameOf[];
}): FrameOf[] {
  return [currentFrameOf(snapshot), ...snapshot.history, ...snapshot.redo];
}
