import { z } from 'zod';
import { manifestSchema } from '../session/chunks/manifest.js';

/** The JSON manifest of a session bundle (see session-bundle.ts for the byte layout). */

const frameIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);
const isoTime = z.string().refine((value) => !Number.isNaN(Date.parse(value)), 'ISO-8601 timestamp');

const versionInfoSchema = z.object({
  version: z.number().int().nonnegative(),
  label: z.string().optional(),
  operation: z.string().optional(),
  user: z.string().optional(),
  createdAt: isoTime,
  rows: z.number().int().nonnegative(),
  columns: z.number().int().nonnegative(),
  bytes: z.number().int().nonnegative(),
});

const snapshotVersionSchema = z.object({
  info: versionInfoSchema,
  frameId: frameIdSchema,
  manifest: manifestSchema.optional(),
});

const auditEntrySchema = z.object({
  seq: z.number().int().nonnegative(),
  at: isoTime,
  operation: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
  user: z.string().optional(),
  rowsBefore: z.number().optional(),
  rowsAfter: z.number().optional(),
});

const markSchema = z.object({
  row: z.number().int().nonnegative(),
  column: z.string(),
  reason: z.string().optional(),
  markedAt: isoTime,
});

/** Everything of a SessionSnapshot except the frame bytes. */
export const bundleSessionSchema = z.object({
  formatVersion: z.literal(1),
  sessionId: z.string().regex(/^[A-Za-z0-9_-]{22}$/),
  filename: z.string().optional(),
  createdAt: isoTime,
  updatedAt: isoTime,
  expiresAt: isoTime,
  ttlSeconds: z.number().int().positive(),
  version: z.number().int().nonnegative(),
  currentFrameId: frameIdSchema,
  currentManifest: manifestSchema.optional(),
  history: z.array(snapshotVersionSchema),
  redo: z.array(snapshotVersionSchema),
  metadata: z.record(z.string(), z.unknown()),
  audit: z.array(auditEntrySchema),
  marks: z.array(markSchema),
});

/** Where one frame sits in the frame section, and the CRC-32 of its whole stored bytes (header included). */
export const bundleFrameSchema = z.object({
  id: frameIdSchema,
  offset: z.number().int().nonnegative(),
  length: z.number().int().positive(),
  crc32: z.number().int().nonnegative(),
  serialization: z.literal('arrow'),
  compression: z.enum(['snappy', 'zstd', 'gzip', 'lz4', 'none']),
});

export const BUNDLE_KIND = 'framestore-session-bundle';
export const BUNDLE_VERSION = 1;

export const bundleManifestSchema = z.object({
  kind: z.literal(BUNDLE_KIND),
  bundleVersion: z.literal(BUNDLE_VERSION),
  exportedAt: isoTime,
  exportedFrom: z.enum(['redis', 'inmemory']).optional(),
  session: bundleSessionSchema,
  frames: z.array(bundleFrameSchema),
});

export type BundleManifest = z.infer<typeof bundleManifestSchema>;
export type BundleFrame = z.infer<typeof bundleFrameSchema>;
