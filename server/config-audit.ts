// The `audit` section of the configuration: how much of the audit log is kept (file size and age
// before rotation, the total on disk, and the memory kept without a data directory). Resolved by
// config.ts's resolver through resolveAudit(), so errors name the file, the field and the reason;
// documented in docs/config.md, the log itself in docs/security.md (## Audit).
import { describeValue, findUnknownKey, isRecord } from './config-checks.js';
import { formatDuration, formatSize, parseDuration, parseSize } from './config-units.js';
import { AUDIT_DEFAULTS, type AuditSettings } from './audit/audit-types.js';

/** The `audit` section as written: sizes as `4MiB`, the age as `1d` (or bytes and ms as numbers). */
export interface AuditInput {
  fileSize?: number | string;
  fileAge?: number | string;
  total?: number | string;
  memory?: number | string;
}

/** Limits, each with its reason. */
const KiB = 1024;
/** A file under 4 KiB holds a dozen entries: rotation would churn; over 1 GiB cannot be downloaded in one go on a Pi. */
const MIN_FILE_BYTES = 4 * KiB;
const MAX_FILE_BYTES = 1024 ** 3;
/** A file younger than a minute is churn; older than a year is a typo. */
const MIN_FILE_AGE_MS = 60_000;
const MAX_FILE_AGE_MS = 365 * 86_400_000;
/** The total must hold at least one file; over 1 TiB is beyond a Pi's disk. */
const MAX_TOTAL_BYTES = 1024 ** 4;
/** Memory kept without a data directory: 16 KiB is a screenful of entries; over 256 MiB will not fit a small Pi. */
const MIN_MEMORY_BYTES = 16 * KiB;
const MAX_MEMORY_BYTES = 256 * 1024 ** 2;
const AUDIT_KEYS = ['fileSize', 'fileAge', 'total', 'memory'] as const;

/** Resolves the `audit` section (absent: undefined, the defaults apply); throws through `fail`. */
export function resolveAudit(value: unknown, fail: (path: string, reason: string) => never): AuditSettings | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value)) return fail('audit', `must be a mapping of fileSize, fileAge, total and memory, got ${describeValue(value)}`);
  const unknown = findUnknownKey(value, AUDIT_KEYS);
  if (unknown) fail(`audit.${unknown.key}`, `is not a known setting${unknown.hint}`);
  const size = (key: string, min: number, max: number, fallback: number): number => {
    if (value[key] === undefined) return fallback;
    const bytes = parseSize(value[key]);
    if (typeof bytes !== 'number') return fail(`audit.${key}`, bytes.refusal ?? 'is not a size');
    if (!Number.isInteger(bytes) || bytes < min || bytes > max) return fail(`audit.${key}`, `must be from ${formatSize(min)} to ${formatSize(max)}, got ${describeValue(value[key])}`);
    return bytes;
  };
  const fileBytes = size('fileSize', MIN_FILE_BYTES, MAX_FILE_BYTES, AUDIT_DEFAULTS.fileBytes);
  let fileAgeMs = AUDIT_DEFAULTS.fileAgeMs;
  if (value.fileAge !== undefined) {
    const ms = parseDuration(value.fileAge);
    if (typeof ms !== 'number') return fail('audit.fileAge', ms.refusal ?? 'is not a duration');
    if (ms < MIN_FILE_AGE_MS || ms > MAX_FILE_AGE_MS)
      return fail('audit.fileAge', `must be from ${formatDuration(MIN_FILE_AGE_MS)} to ${formatDuration(MAX_FILE_AGE_MS)}, got ${describeValue(value.fileAge)}`);
    fileAgeMs = ms;
  }
  const totalBytes = size('total', fileBytes, MAX_TOTAL_BYTES, Math.max(AUDIT_DEFAULTS.totalBytes, fileBytes));
  const memoryBytes = size('memory', MIN_MEMORY_BYTES, MAX_MEMORY_BYTES, AUDIT_DEFAULTS.memoryBytes);
  return { fileBytes, fileAgeMs, totalBytes, memoryBytes };
}
