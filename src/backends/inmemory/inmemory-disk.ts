import fs from 'node:fs';
import type { HealthCheckResult, HealthStatus } from '../../contract/storage-backend.js';

/** The statfs fields the check reads (fs.statfsSync's answer; tests pass their own). */
export type StatFs = Pick<fs.StatsFs, 'bsize' | 'blocks' | 'bavail' | 'files' | 'ffree'>;
export type StatFsFn = (path: string) => StatFs;

const MIB = 1024 * 1024;

/**
 * When the disk under STORAGE_DIR stops being healthy (docs/operations.md, "Reading /health/storage").
 * Degraded comes early enough to act before writes fail; unhealthy is when a frame write likely fails now.
 */
export const DISK_THRESHOLDS = {
  /** Free space (available to the service's user) below this, or below `degradedFreeRatio`: degraded. */
  degradedFreeBytes: 512 * MIB,
  degradedFreeRatio: 0.05,
  /** Free space below this: unhealthy. */
  unhealthyFreeBytes: 64 * MIB,
  /** Free inodes below this, or below `degradedFreeInodeRatio`: degraded (every frame and blob is a file). */
  degradedFreeInodes: 10_000,
  degradedFreeInodeRatio: 0.05,
  /** Free inodes below this: unhealthy. */
  unhealthyFreeInodes: 1_000,
} as const;

const RANK: Record<HealthStatus, number> = { healthy: 0, degraded: 1, unhealthy: 2 };

function grade(free: number, total: number, degradedAt: number, ratio: number, unhealthyAt: number) {
  if (free < unhealthyAt) return 'unhealthy';
  return free < degradedAt || (total > 0 && free / total < ratio) ? 'degraded' : 'healthy';
}

const mib = (bytes: number) => `${Math.floor(bytes / MIB)} MiB`;
const percent = (part: number, whole: number) => `${whole > 0 ? ((100 * part) / whole).toFixed(1) : '?'} %`;

/** Free space and inodes of the filesystem holding `root`, graded by DISK_THRESHOLDS. */
export function checkDisk(root: string, statfs: StatFsFn = fs.statfsSync): HealthCheckResult {
  let stats: StatFs;
  try {
    stats = statfs(root);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    return { status: 'degraded', message: `free space under STORAGE_DIR unknown (statfs ${code})` };
  }
  const t = DISK_THRESHOLDS;
  const total = stats.blocks * stats.bsize;
  const free = stats.bavail * stats.bsize;
  const space = grade(free, total, t.degradedFreeBytes, t.degradedFreeRatio, t.unhealthyFreeBytes);
  let message = `${mib(free)} free of ${mib(total)} (${percent(free, total)})`;
  let status: HealthStatus = space;
  // Filesystems without a fixed inode table (btrfs, some overlays) report 0 files: nothing to run out of.
  if (stats.files > 0) {
    const inodes = grade(
      stats.ffree,
      stats.files,
      t.degradedFreeInodes,
      t.degradedFreeInodeRatio,
      t.unhealthyFreeInodes,
    );
    message += `, ${stats.ffree} inodes free (${percent(stats.ffree, stats.files)})`;
    if (RANK[inodes] > RANK[status]) status = inodes;
  }
  if (status !== 'healthy') {
    message += status === 'unhealthy' ? ': writes are about to fail' : ': free space soon';
  }
  return { status, message };
}
