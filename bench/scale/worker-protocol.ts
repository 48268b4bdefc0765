/** What the harness passes the scale worker in `process.argv[2]`, as JSON. */
export interface ScaleWorkerConfig {
  address: string;
  namespace: string;
  taskQueue: string;
  baseUrl: string;
  apiKey: string;
  /** The workflow bundle, prebuilt by the parent so webpack's memory is not counted here. */
  workflowBundlePath: string;
  /** Worker options on top of `createCodikaWorker`'s defaults (the plan's `workerOptions`). */
  workerOptions: Record<string, number | boolean>;
}

/** Messages the scale worker sends to its parent over the IPC channel. */
export type ScaleWorkerMessage =
  | { type: 'ready' }
  | { type: 'sample'; at: number; rss: number; heapUsed: number; cpuUs: number }
  | { type: 'error'; message: string };

/** The worker's memory and CPU time, sent once a second. */
export type ScaleWorkerSample = Extract<ScaleWorkerMessage, { type: 'sample' }>;
