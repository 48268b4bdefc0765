/**
 * CPU time of the processes the scale scenario watches, read from /proc (Linux): the whole
 * machine, the Temporal dev server, and this process. Off Linux the /proc readers return undefined.
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

/** User + system ticks of this process's children other than the worker: the Temporal dev server. */
export function serverTicks(workerPid: number | undefined): number | undefined {
  if (!existsSync('/proc/self/stat')) return undefined;
  let ticks: number | undefined;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === workerPid) continue;
    const stat = procStat(Number(entry));
    if (!stat || stat.ppid !== process.pid || !/temporal/i.test(stat.comm)) continue;
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
