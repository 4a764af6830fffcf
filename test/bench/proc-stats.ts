// CPU time and resident memory of another process, read from /proc (Linux, every thread included).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Kernel clock ticks per second, the unit of utime/stime in /proc/<pid>/stat. */
function clockTicksPerSecond(): number {
  try {
    const n = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isFinite(n) && n > 0 ? n : 100;
  } catch {
    return 100; // Linux's USER_HZ on every architecture we run on
  }
}
const TICKS_PER_SECOND = clockTicksPerSecond();

/** User + system CPU seconds `pid` has used so far (all its threads). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces: fields are counted after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return (utime + stime) / TICKS_PER_SECOND;
}

/** Resident set size of `pid`, in MiB. */
export function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!match) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]) / 1024;
}

/** A running RSS sampler; stop() ends it and returns the largest sample, in MiB. */
export interface RssSampler {
  stop(): number;
}

/** Samples rssMiB(pid) every intervalMs until stop(). */
export function sampleRss(pid: number, intervalMs: number): RssSampler {
  let max = rssMiB(pid);
  const timer = setInterval(() => {
    try {
      max = Math.max(max, rssMiB(pid));
    } catch {
      // the process exited: the samples so far stand
    }
  }, intervalMs);
  return {
    stop: () => {
      clearInterval(timer);
      return max;
    },
  };
}

/** Bytes `pid` has read through read-like system calls so far (`rchar` of /proc/<pid>/io: files, sockets and ttys alike). */
export function readCharsBytes(pid: number): number {
  const io = readFileSync(`/proc/${pid}/io`, 'utf8');
  const match = /^rchar:\s+(\d+)$/m.exec(io);
  if (!match) throw new Error(`no rchar for pid ${pid}`);
  return Number(match[1]);
}
