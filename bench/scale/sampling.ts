import { type ChildProcess } from 'node:child_process';
import { cpus } from 'node:os';
import type { BenchEnv } from '../shared/bench-env';
import { round } from '../shared/stats';
import { harnessCpuUs, machineTicks, serverTicks, TICKS_PER_SECOND, type CpuTicks } from './cpu-time';
import type { ScaleWorkerSample } from './worker-protocol';

/** One second of a scale batch. CPU in percent of one core. */
export interface ScaleSecond {
  /** Seconds since the first start. */
  t: number;
  started: number;
  completed: number;
  statusPolls: number;
  workerRssMb: number | null;
  cpu: { worker: number | null; server: number | null; harness: number; machine: number | null };
}

/**
 * Once a second: status polls the mock saw, starts and completions so far (the batch counts them
 * into `started` and `completed`), worker RSS and CPU of each process. Its `seconds` become the
 * batch's timeline.
 */
export class Sampler {
  readonly seconds: ScaleSecond[] = [];
  /** `Date.now()` of the batch's first start: `t` counts from here. */
  origin = Date.now();
  started = 0;
  completed = 0;
  /** Harness-side failures (listing closed runs), reported with the executions' errors. */
  readonly errors = new Set<string>();
  private timer?: NodeJS.Timeout;
  private previous?: { at: number; harnessUs: number; workerUs?: number; serverTicks?: number; machine?: CpuTicks };

  constructor(
    private readonly env: BenchEnv,
    private readonly worker: { child: ChildProcess; latest?: ScaleWorkerSample },
  ) {}

  /** Takes the first reading and then one a second. */
  start(): void {
    this.previous = this.snapshot().now;
    this.timer = setInterval(() => this.tick(), 1_000);
  }

  /** Stops, with a last reading for the part of a second since the previous one. */
  stop(): void {
    clearInterval(this.timer);
    this.tick();
  }

  private snapshot() {
    const worker = this.worker.latest;
    const now = {
      at: Date.now(),
      harnessUs: harnessCpuUs(),
      workerUs: worker?.cpuUs,
      serverTicks: serverTicks(this.worker.child.pid),
      machine: machineTicks(),
    };
    return { now, worker };
  }

  private tick(): void {
    const { now, worker } = this.snapshot();
    const before = this.previous!;
    this.previous = now;
    const seconds = (now.at - before.at) / 1000;
    if (seconds <= 0) return;
    // The mock records every request; count the status checks since the last tick and forget them.
    const requests = this.env.mock.requests.splice(0);
    const perCore = (delta: number | undefined) => (delta === undefined ? null : round((delta / seconds) * 100));
    this.seconds.push({
      t: Math.round((now.at - this.origin) / 1000),
      started: this.started,
      completed: this.completed,
      statusPolls: requests.filter((r) => r.endpoint === 'status').length,
      workerRssMb: worker ? Math.round(worker.rss / 2 ** 20) : null,
      cpu: {
        worker: perCore(
          now.workerUs !== undefined && before.workerUs !== undefined
            ? (now.workerUs - before.workerUs) / 1e6
            : undefined,
        ),
        server: perCore(
          now.serverTicks !== undefined && before.serverTicks !== undefined
            ? (now.serverTicks - before.serverTicks) / TICKS_PER_SECOND
            : undefined,
        ),
        harness: perCore((now.harnessUs - before.harnessUs) / 1e6)!,
        machine:
          now.machine && before.machine
            ? round(
                ((now.machine.busy - before.machine.busy) / Math.max(1, now.machine.total - before.machine.total)) *
                  cpus().length *
                  100,
              )
            : null,
      },
    });
  }
}
