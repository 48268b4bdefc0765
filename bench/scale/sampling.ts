import { type ChildProcess } from 'node:child_process';
import { cpus } from 'node:os';
import type { MockCodikaServer } from '../../src/testing/mock-codika/mock-codika-server';
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
 * into `started` and `completed`), the largest worker RSS, and CPU: the workers added up, the
 * server's processes, the harness, the machine. Its `seconds` become the batch's timeline.
 */
export class Sampler {
  readonly seconds: ScaleSecond[] = [];
  /** `Date.now()` of the batch's first start: `t` counts from here. */
  origin = Date.now();
  started = 0;
  completed = 0;
  /** Harness-side failures (listing closed runs), reported with the executions' errors. */
  readonly errors = new Set<string>();
  /** When each Codika call reached the mock (the batch's one process instance): how bunched they came. */
  readonly callTimes: number[] = [];
  /**
   * CPU spent from `start` to `stop`, in total: the workers' (microseconds) and the server's (ticks);
   * undefined when a reading was missing at either end (a worker had not reported yet, or off Linux).
   */
  readonly totals: { workerUs?: number; serverTicks?: number } = {};
  private first?: { workerUs?: number; serverTicks?: number };
  private timer?: NodeJS.Timeout;
  private previous?: { at: number; harnessUs: number; workerUs?: number; serverTicks?: number; machine?: CpuTicks };

  constructor(
    private readonly mock: MockCodikaServer,
    private readonly workers: { child: ChildProcess; latest?: ScaleWorkerSample }[],
  ) {}

  /** Takes the first reading and then one a second. */
  start(): void {
    this.previous = this.snapshot().now;
    this.first = { workerUs: this.previous.workerUs, serverTicks: this.previous.serverTicks };
    this.timer = setInterval(() => this.tick(), 1_000);
  }

  /** Stops, with a last reading for the part of a second since the previous one. */
  stop(): void {
    clearInterval(this.timer);
    this.tick();
    const last = this.previous;
    const since = (end: number | undefined, start: number | undefined) =>
      end !== undefined && start !== undefined && end >= start ? end - start : undefined;
    this.totals.workerUs = since(last?.workerUs, this.first?.workerUs);
    this.totals.serverTicks = since(last?.serverTicks, this.first?.serverTicks);
  }

  private snapshot() {
    const latest = this.workers.map((w) => w.latest);
    const reported = latest.filter((sample): sample is ScaleWorkerSample => sample !== undefined);
    const now = {
      at: Date.now(),
      harnessUs: harnessCpuUs(),
      // Only once every worker reported: a sum that gains a worker midway would jump.
      workerUs: reported.length === latest.length ? reported.reduce((sum, w) => sum + w.cpuUs, 0) : undefined,
      serverTicks: serverTicks(this.workers.flatMap((w) => (w.child.pid === undefined ? [] : [w.child.pid]))),
      machine: machineTicks(),
    };
    const rss = reported.length > 0 ? Math.max(...reported.map((w) => w.rss)) : undefined;
    return { now, rss };
  }

  private tick(): void {
    const { now, rss } = this.snapshot();
    // The workers report once a second: their total counts from their first report, a second at most after the start.
    if (this.first && this.first.workerUs === undefined) this.first.workerUs = now.workerUs;
    const before = this.previous!;
    this.previous = now;
    const seconds = (now.at - before.at) / 1000;
    if (seconds <= 0) return;
    // The mock records every request; count the status checks since the last tick and forget them.
    const requests = this.mock.requests.splice(0);
    for (const request of requests) this.callTimes.push(request.at);
    const perCore = (delta: number | undefined) => (delta === undefined ? null : round((delta / seconds) * 100));
    this.seconds.push({
      t: Math.round((now.at - this.origin) / 1000),
      started: this.started,
      completed: this.completed,
      statusPolls: requests.filter((r) => r.endpoint === 'status').length,
      workerRssMb: rss === undefined ? null : Math.round(rss / 2 ** 20),
      cpu: {
        worker: perCore(
          now.workerUs !== undefined && before.workerUs !== undefined
            ? (now.workerUs - before.workerUs) / 1e6
            : undefined,
        ),
        server: perCore(
          // A PostgreSQL backend that exited takes its ticks with it: no reading for that second.
          now.serverTicks !== undefined && before.serverTicks !== undefined && now.serverTicks >= before.serverTicks
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
