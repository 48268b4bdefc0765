/**
 * One place the fuzz suite runs its corpus: a Temporal dev server that suggests continuing as new
 * after `threshold` history events (or, for the reference, never), a mock Codika of its own, and a
 * worker. The CLI's dev server accepts only unconstrained dynamic config values (a JSON value is
 * wrapped as one value for every namespace), so each threshold has a dev server of its own rather
 * than a namespace of one server.
 */
import type { Client } from '@temporalio/client';
import type { MockCodikaServer } from '../../src/testing/mock-codika/mock-codika-server';
import { runOwnWorker, startOwnServer } from '../helpers/own-server';
import { WorkerProcess } from '../helpers/worker-process';

const API_KEY = 'ck_fuzz_continue_as_new';
/** Far more events than any corpus run makes: the reference never continues as new. */
export const NEVER = 1_000_000;

export interface FuzzBed {
  threshold: number;
  mock: MockCodikaServer;
  client: Client;
  taskQueue: string;
  stop(): Promise<void>;
}

/** A bed whose worker runs in a child process that {@link FuzzBedWithKills.killWorker} kills and replaces. */
export interface FuzzBedWithKills extends FuzzBed {
  /** SIGKILLs the worker process (a crash: no shutdown, nothing reported) and starts a new one. */
  killWorker(): Promise<void>;
}

export async function startFuzzBed(threshold: number): Promise<FuzzBed> {
  const own = await startOwnServer(threshold, API_KEY);
  const taskQueue = `fuzz-${threshold}`;
  const stopWorker = await runOwnWorker(own, taskQueue);
  return {
    threshold,
    mock: own.mock,
    client: own.client,
    taskQueue,
    async stop() {
      await stopWorker();
      await own.stop();
    },
  };
}

export async function startFuzzBedWithKills(threshold: number): Promise<FuzzBedWithKills> {
  const own = await startOwnServer(threshold, API_KEY);
  const taskQueue = `fuzz-kills-${threshold}`;
  const config = { address: own.server.address, taskQueue, baseUrl: own.mock.url, apiKey: API_KEY };
  let worker = await WorkerProcess.start(config);
  return {
    threshold,
    mock: own.mock,
    client: own.client,
    taskQueue,
    async killWorker() {
      await worker.kill();
      worker = await WorkerProcess.start(config);
    },
    async stop() {
      await worker.stop();
      await own.stop();
    },
  };
}
