/**
 * CPU time of the processes the scale scenario watches, read from /proc (Linux): the whole
 * machine, the Temporal server (the dev server, or the cluster's services and PostgreSQL), and
 * this process. Off Linux the /proc readers return undefined.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ, 100 on Linux). */
export const TICKS_PER_SECOND = 100;

/** Busy and total ticks of the whole machine since boot. */
export interface CpuTicks {
  busy: number;
  total: number;
}

/** User + system CPU time of this process (the harness and the mock), in microseconds. */
export function harnessCpuUs(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

/** Busy and total ticks of the whole machine, from /proc/stat; undefined off Linux. */
export function machineTicks(): CpuTicks | undefined {
  if (!existsSync('/proc/stat')) return undefined;
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((sum, v) => sum + v, 0);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
  return { busy: total - idle, total };
}

/**
 * User + system ticks of the Temporal server's processes: every descendant of this process outside
 * the workers' (the dev server; or the cluster's services, PostgreSQL and its backends).
 */
export function serverTicks(workerPids: number[]): number | undefined {
  if (!existsSync('/proc/self/stat')) return undefined;
  const stats = new Map<number, { comm: string; ppid: number; ticks: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = procStat(Number(entry));
    if (stat) stats.set(Number(entry), stat);
  }
  const excluded = new Set(workerPids);
  const underUs = (pid: number): boolean => {
    for (let at = pid, hops = 0; at > 1 && hops < 16; hops++) {
      if (excluded.has(at)) return false;
      const parent = stats.get(at)?.ppid;
      if (parent === process.pid) return true;
      if (parent === undefined) return false;
      at = parent;
    }
    return false;
  };
  let ticks: number | undefined;
  for (const [pid, stat] of stats) {
    if (!underUs(pid)) continue;
    ticks = (ticks ?? 0) + stat.ticks;
  }
  return ticks;
}

function procStat(pid: number): { comm: string; ppid: number; ticks: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = text.lastIndexOf(')');
    const comm = text.slice(text.indexOf('(') + 1, close);
    const fields = text
      .slice(close + 2)
      .split(' ')
      .map(Number);
    // After the command: state, ppid, … utime is the 14th field of the line, stime the 15th.
    return { comm, ppid: fields[1], ticks: fields[11] + fields[12] };
  } catch {
    return undefined;
  }
}
