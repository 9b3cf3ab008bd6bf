import { readdirSync, readFileSync } from 'node:fs';

/** CPU seconds used by each process group during a phase, and the wall time it took. */
export type CpuUse = Record<string, number> & { wall: number };

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/**
 * Where the CPU went during a phase, read from /proc: the service processes, Redis (the whole
 * server, other users included), the PostgreSQL backends of the run's own database, the client
 * processes and this script. On a 2-core machine this says which one was the bottleneck. A
 * backend that exits during the phase is not counted. Zero where /proc is missing.
 */
export class CpuMeter {
  constructor(private readonly groups: () => Record<string, number[] | { postgresDatabase: string }>) {}

  start(): () => CpuUse {
    const before = this.sample();
    const started = performance.now();
    return () => {
      const after = this.sample();
      const use = { wall: round((performance.now() - started) / 1000) } as CpuUse;
      for (const [name, ticks] of Object.entries(after)) use[name] = round((ticks - (before[name] ?? 0)) / TICKS_PER_SECOND);
      return use;
    };
  }

  private sample(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [name, pids] of Object.entries(this.groups())) {
      const list = Array.isArray(pids) ? pids : backendsOf(pids.postgresDatabase);
      out[name] = list.reduce((sum, pid) => sum + ticksOf(pid), 0);
    }
    return out;
  }
}

function ticksOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces), counted from field 3: utime is 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

/** PostgreSQL backends serving one database: their title reads "postgres: ... user database host". */
function backendsOf(database: string): number[] {
  try {
    return readdirSync('/proc')
      .filter((entry) => /^\d+$/.test(entry))
      .filter((pid) => {
        try {
          return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(` ${database} `);
        } catch {
          return false;
        }
      })
      .map(Number);
  } catch {
    return [];
  }
}

const round = (n: number) => Math.round(n * 100) / 100;
