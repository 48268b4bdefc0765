import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { readRequestBody } from '../../codika/read-request-body';
import { signatureHeaders, SignedRequestVerifier } from '../../codika/webhook-signature';
import {
  canStrikeAfterAcceptance,
  RANDOM_FAULTS,
  type MockExecutionScript,
  type MockFault,
  type MockRandomFaults,
} from './mock-scripts';
import { seededRandom } from './seeded-random';

/** Options of {@link MockCodikaServer}. With no credential configured, every request is accepted. */
export interface MockCodikaServerOptions {
  /** @default 0 (a free port) */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** A key accepted for every process instance (header or `api_key` query). */
  apiKey?: string;
  /** Keys accepted per process instance; an instance listed here accepts only its own key. */
  apiKeys?: Record<string, string>;
  /** Standard Webhooks secret (`whsec_…`) accepted for signed requests. */
  webhookSecret?: string;
  /** Scripts per Codika workflowId. */
  scripts?: Record<string, MockExecutionScript>;
  /** Script for workflowIds without one. @default succeed at once with `{ echo: payload }` */
  defaultScript?: MockExecutionScript;
  /**
   * Deduplicate triggers by `Idempotency-Key`, as a Codika that supports the header would: a
   * repeated key gets the same executionId, or `409` while the first request is still being
   * answered. Codika's API documents no such header, so by default the key is ignored and every
   * trigger starts an execution. @default false
   */
  honourIdempotencyKey?: boolean;
  /** Secret (`whsec_…`) that signs the callbacks of scripts with `callsBack`. */
  callbackSecret?: string;
  /** Transient faults at random, on top of scripted ones. @default none */
  randomFaults?: MockRandomFaults;
}

/** A callback the mock made at the end of an execution. */
export interface MockCallbackRecord {
  /** The execution that ended. */
  executionId: string;
  /** Where the callback went: the URL in the execution's payload field. */
  url: string;
  /** HTTP status answered, or the error message when the request failed. */
  outcome: number | string;
}

/** One request as the mock saw it. Credentials are recorded so tests can check what was sent. */
export interface MockRequestRecord {
  /** When the request arrived, in epoch milliseconds. */
  at: number;
  /** HTTP method. */
  method: string;
  /** `other` for a path that matches neither endpoint (answered `404`). */
  endpoint: 'trigger' | 'status' | 'other';
  /** URL path, without query string. */
  path: string;
  /** From the path, for the trigger and status endpoints. */
  processInstanceId?: string;
  /** From the trigger's path, or the execution a status request names. */
  workflowId?: string;
  /** The execution created or asked about. */
  executionId?: string;
  /** Request headers, as Node parsed them. */
  headers: Record<string, string | string[] | undefined>;
  /** Query parameters. */
  query: Record<string, string>;
  /** Raw request body. */
  body: string;
  /** The credential form the request carried, right or wrong; `none` also when the mock checks none. */
  auth: 'header' | 'query' | 'signature' | 'none';
  /** HTTP status answered; `dropped` when the mock destroyed the connection, `closed` when the client went away first. */
  outcome: number | 'dropped' | 'closed';
  /** The fault injected into this response, if any. */
  fault?: MockFault;
  /** When the answer was sent or the connection closed, whichever came first (for overlap checks). */
  endedAt?: number;
}

/** An execution the mock started. */
export interface MockExecution {
  /** The id the trigger answered with. */
  executionId: string;
  /** From the trigger's path. */
  processInstanceId: string;
  /** From the trigger's path. */
  workflowId: string;
  /** The trigger body's `payload`, or the whole body without one. */
  payload: unknown;
  /** The trigger's `Idempotency-Key` header, if any. */
  idempotencyKey?: string;
  /** 1 for the first execution of this workflowId and payload in its process instance, 2 for the next (a retry)… */
  attempt: number;
  /** When the trigger created it, in epoch milliseconds. */
  createdAt: number;
  /** When it starts reporting its scripted outcome, in epoch milliseconds; `finishNow` moves it. */
  finishesAt: number;
  /** The script it follows. */
  script: MockExecutionScript;
  /**
   * Status requests that reached this execution's lookup so far (the script's `notFoundChecks` first
   * ones answered `404`); those refused for auth or answered by an injected fault are not counted.
   */
  statusChecks: number;
}

/** The message an execution fails with, if its script makes it fail. */
function failureOf({ script, payload, attempt }: MockExecution): string | undefined {
  return script.failWith ?? script.failIf?.(payload, attempt);
}

const TRIGGER_PATH = /^\/webhook\/([^/]+)\/([^/]+)\/?$/;
const STATUS_PATH = /^\/status\/([^/]+)\/([^/]+)\/?$/;

/**
 * A real HTTP server on 127.0.0.1 that behaves like Codika's public API: trigger and status
 * endpoints, the three auth modes (signatures verified, stale or replayed ones rejected),
 * `Idempotency-Key`, scripted executions and injected faults. Records every request.
 */
export class MockCodikaServer {
  /** Every request received, in arrival order. */
  readonly requests: MockRequestRecord[] = [];
  /** Every execution started, by executionId. */
  readonly executions = new Map<string, MockExecution>();
  /** Every callback sent, in order. */
  readonly callbacks: MockCallbackRecord[] = [];
  private readonly callbackTimers = new Set<NodeJS.Timeout>();
  private readonly options: MockCodikaServerOptions;
  private readonly scripts = new Map<string, MockExecutionScript>();
  private readonly faults = new Map<string, MockFault[]>();
  private readonly idempotency = new Map<string, string>();
  /** Executions so far by process instance, workflowId and payload: the next one's `attempt`. */
  private readonly attempts = new Map<string, number>();
  /** Trigger requests so far by process instance, workflowId and payload (for `triggerFaultIf`). */
  private readonly triggerRequests = new Map<string, number>();
  /** Keys whose first request is still being answered (a deduplicating server answers 409 meanwhile). */
  private readonly keysInFlight = new Set<string>();
  /** Ends injected delays early on stop(), so no timer outlives the server. */
  private readonly pendingDelays = new Set<() => void>();
  /** Success bodies of `resultBytes` scripts by size, built at the first answer and reused by every poll. */
  private readonly largeResultBodies = new Map<number, string>();
  private readonly verifier?: SignedRequestVerifier;
  private readonly callbackSigner?: Webhook;
  private readonly random?: () => number;
  private server?: Server;
  private baseUrl?: string;

  constructor(options: MockCodikaServerOptions = {}) {
    this.options = options;
    if (options.webhookSecret) this.verifier = new SignedRequestVerifier(new Webhook(options.webhookSecret));
    if (options.callbackSecret) this.callbackSigner = new Webhook(options.callbackSecret);
    if (options.randomFaults) {
      const { rate } = options.randomFaults;
      if (!(rate >= 0 && rate <= 1)) throw new RangeError(`randomFaults.rate must be between 0 and 1, got ${rate}`);
      this.random = seededRandom(options.randomFaults.seed ?? 1);
    }
    if (options.defaultScript) checkScript('defaultScript', options.defaultScript);
    for (const [workflowId, script] of Object.entries(options.scripts ?? {})) this.script(workflowId, script);
  }

  /** Base URL to give a Codika client, e.g. `http://127.0.0.1:43121`. @throws Error before `start()`. */
  get url(): string {
    if (!this.baseUrl) throw new Error('MockCodikaServer is not started: call start() first');
    return this.baseUrl;
  }

  /** Starts listening; resolves with the base URL. */
  async start(): Promise<string> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ success: false, error: `Mock failure: ${(err as Error).message}` }));
      });
    });
    // Clients keep idle connections a second less than the server announces; at 1 s they kept none and
    // every request paid for a new connection (and its teardown), which swamped the scale benchmark.
    server.keepAliveTimeout = 5_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1', resolve);
    });
    this.server = server;
    const { address, port } = server.address() as AddressInfo;
    this.baseUrl = `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
    return this.baseUrl;
  }

  /** Stops listening and closes open connections. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const release of this.pendingDelays) release();
    for (const timer of this.callbackTimers) clearTimeout(timer);
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /**
   * Sets (replaces) the script of a Codika workflowId, including its fault queues.
   * @throws Error when the script gives both `resultData` and `resultBytes`, RangeError for a
   * `resultBytes` or `notFoundChecks` that is not a whole number of at least 0.
   */
  script(workflowId: string, script: MockExecutionScript): this {
    checkScript(`script of ${workflowId}`, script);
    this.scripts.set(workflowId, script);
    this.faults.set(`trigger:${workflowId}`, expandFaults(script.faults?.trigger));
    this.faults.set(`status:${workflowId}`, expandFaults(script.faults?.status));
    return this;
  }

  /** Appends faults to a workflowId's queues without changing its script. */
  injectFaults(workflowId: string, faults: { trigger?: MockFault[]; status?: MockFault[] }): this {
    this.queue(`trigger:${workflowId}`).push(...expandFaults(faults.trigger));
    this.queue(`status:${workflowId}`).push(...expandFaults(faults.status));
    return this;
  }

  /** Recorded requests to one endpoint, optionally for one Codika workflowId. */
  requestsTo(endpoint: 'trigger' | 'status', workflowId?: string): MockRequestRecord[] {
    return this.requests.filter((r) => r.endpoint === endpoint && (!workflowId || r.workflowId === workflowId));
  }

  /**
   * Arrival times (epoch milliseconds) of the requests to one endpoint, in arrival order; with an
   * executionId, only those about that execution (a trigger once it created or found it). For checks
   * such as "no status request arrived after the cancellation".
   */
  requestTimes(endpoint: 'trigger' | 'status', executionId?: string): number[] {
    return this.requests
      .filter((r) => r.endpoint === endpoint && (executionId === undefined || r.executionId === executionId))
      .map((r) => r.at);
  }

  /** Executions started for one Codika workflowId. */
  executionsOf(workflowId: string): MockExecution[] {
    return [...this.executions.values()].filter((e) => e.workflowId === workflowId);
  }

  /** Ends a running execution now (its scripted outcome applies). @throws Error for an unknown id. */
  finishNow(executionId: string): void {
    const execution = this.executions.get(executionId);
    if (!execution) throw new Error(`MockCodikaServer has no execution ${executionId}`);
    execution.finishesAt = Date.now();
  }

  private scheduleCallback(execution: MockExecution): void {
    const field = execution.script.callsBack?.urlField;
    const url = field && isObject(execution.payload) ? execution.payload[field] : undefined;
    if (typeof url !== 'string' || !Number.isFinite(execution.finishesAt)) return;
    const timer = setTimeout(() => {
      this.callbackTimers.delete(timer);
      void this.sendCallback(execution, url);
    }, execution.finishesAt - Date.now());
    this.callbackTimers.add(timer);
  }

  private async sendCallback(execution: MockExecution, url: string): Promise<void> {
    const record: MockCallbackRecord = { executionId: execution.executionId, url, outcome: 0 };
    this.callbacks.push(record);
    const body = JSON.stringify({
      executionId: execution.executionId,
      status: failureOf(execution) === undefined ? 'success' : 'failed',
    });
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      ...(this.callbackSigner ? signatureHeaders(this.callbackSigner, body) : {}),
    };
    try {
      const response = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(10_000) });
      record.outcome = response.status;
    } catch (err) {
      record.outcome = (err as Error).message;
    }
  }

  private delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const release = () => {
        clearTimeout(timer);
        this.pendingDelays.delete(release);
        resolve();
      };
      const timer = setTimeout(release, ms);
      this.pendingDelays.add(release);
    });
  }

  /**
   * Waits `ms`, then tells whether anyone is still there to answer: false (the request recorded as
   * `closed`) when the client went away or the server stopped meanwhile.
   */
  private async answerAfter(ms: number, req: IncomingMessage, res: ServerResponse, record: MockRequestRecord) {
    await this.delay(ms);
    if (!res.destroyed && this.server) return true;
    record.outcome = 'closed';
    if (!res.destroyed) req.socket.destroy();
    return false;
  }

  private queue(key: string): MockFault[] {
    let queue = this.faults.get(key);
    if (!queue) this.faults.set(key, (queue = []));
    return queue;
  }

  /** The queued fault for this call, else (sometimes) a random one. */
  private nextFault(endpoint: 'trigger' | 'status', workflowId: string | undefined): MockFault | undefined {
    const queued = workflowId ? this.faults.get(`${endpoint}:${workflowId}`)?.shift() : undefined;
    const random = this.random;
    if (queued || !random || random() >= this.options.randomFaults!.rate) return queued;
    const fault = RANDOM_FAULTS[Math.floor(random() * RANDOM_FAULTS.length)]!;
    if (endpoint === 'status' || !canStrikeAfterAcceptance(fault)) return fault;
    const strikes = this.options.randomFaults!.strikes ?? 'either';
    const after = strikes === 'either' ? random() < 0.5 : strikes === 'after';
    return after ? ({ ...fault, strikes: 'after' } as MockFault) : fault;
  }

  /** The script's `triggerFaultIf` for this trigger's payload, counting the requests with that payload. */
  private scriptedTriggerFault(record: MockRequestRecord, body: string): MockFault | undefined {
    const faultIf = this.scripts.get(record.workflowId!)?.triggerFaultIf;
    if (!faultIf) return undefined;
    const payload = payloadOf(body);
    const key = JSON.stringify([record.processInstanceId, record.workflowId, payload]);
    const earlier = this.triggerRequests.get(key) ?? 0;
    this.triggerRequests.set(key, earlier + 1);
    return faultIf(payload, earlier);
  }

  /**
   * Answers with an injected fault. Resolves `true` when the fault answered (or dropped) the
   * request, `false` when the request goes on: a delay that has passed with the client still there.
   */
  private async strike(
    fault: MockFault,
    req: IncomingMessage,
    res: ServerResponse,
    record: MockRequestRecord,
    send: (status: number, payload: unknown, extraHeaders?: Record<string, string>, raw?: string) => void,
  ): Promise<boolean> {
    switch (fault.kind) {
      case 'http': {
        const headers: Record<string, string> = { 'Content-Type': fault.contentType ?? 'application/json' };
        if (fault.retryAfter !== undefined) headers['Retry-After'] = String(fault.retryAfter);
        send(
          fault.status,
          undefined,
          headers,
          fault.body ?? JSON.stringify({ success: false, error: 'Injected fault' }),
        );
        return true;
      }
      case 'drop':
        record.outcome = 'dropped';
        req.socket.destroy();
        return true;
      case 'malformed':
        send(200, undefined, {}, '{"success": true, "executionId": ');
        return true;
      case 'missing_id':
        send(200, { success: true, message: 'Execution started' });
        return true;
      case 'delay':
        return !(await this.answerAfter(fault.ms, req, res, record));
      default:
        return false;
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://mock');
    const body = await readRequestBody(req);
    const record: MockRequestRecord = {
      at: Date.now(),
      method: req.method ?? 'GET',
      endpoint: 'other',
      path: url.pathname,
      headers: { ...req.headers },
      query: Object.fromEntries(url.searchParams),
      body,
      auth: 'none',
      outcome: 0,
    };
    this.requests.push(record);
    res.once('close', () => (record.endedAt = Date.now()));
    const send = (status: number, payload: unknown, extraHeaders: Record<string, string> = {}, raw?: string) => {
      record.outcome = status;
      res.writeHead(status, { 'Content-Type': 'application/json', ...extraHeaders });
      res.end(raw ?? JSON.stringify(payload));
    };

    const trigger = req.method === 'POST' ? TRIGGER_PATH.exec(url.pathname) : null;
    const status = req.method === 'GET' ? STATUS_PATH.exec(url.pathname) : null;
    if (!trigger && !status) return send(404, { success: false, error: `No route for ${req.method} ${url.pathname}` });

    const [, rawInstance, rawSecond] = (trigger ?? status)!;
    const processInstanceId = safeDecode(rawInstance);
    const second = safeDecode(rawSecond);
    if (processInstanceId === undefined || second === undefined) {
      return send(400, { success: false, error: 'Malformed percent-encoding in the path' });
    }
    record.endpoint = trigger ? 'trigger' : 'status';
    record.processInstanceId = processInstanceId;
    if (trigger) record.workflowId = second;
    else {
      record.executionId = second;
      record.workflowId = this.executions.get(record.executionId)?.workflowId;
    }

    const authError = this.authenticate(req, url, body, processInstanceId, record);
    if (authError) return send(401, { success: false, error: authError });

    const fault =
      (trigger ? this.scriptedTriggerFault(record, body) : undefined) ??
      this.nextFault(record.endpoint, record.workflowId);
    record.fault = fault;
    const strikesAfter = trigger !== null && fault !== undefined && 'strikes' in fault && fault.strikes === 'after';
    if (fault && !strikesAfter && (await this.strike(fault, req, res, record, send))) return;

    if (trigger) return this.handleTrigger(record, body, req, res, strikesAfter ? fault : undefined, send);
    return this.handleStatus(record, fault, send);
  }

  /** Creates (or, honouring the key, finds) the execution; `faultAfter` then strikes before the answer. */
  private async handleTrigger(
    record: MockRequestRecord,
    body: string,
    req: IncomingMessage,
    res: ServerResponse,
    faultAfter: MockFault | undefined,
    send: (status: number, payload: unknown, extraHeaders?: Record<string, string>, raw?: string) => void,
  ): Promise<void> {
    let parsed: unknown = {};
    if (body.trim() !== '') {
      try {
        parsed = JSON.parse(body);
      } catch {
        return send(400, { success: false, error: 'Request body is not valid JSON' });
      }
    }
    const payload = isObject(parsed) && 'payload' in parsed ? parsed.payload : parsed;
    const workflowId = record.workflowId!;
    const processInstanceId = record.processInstanceId!;
    const script = this.scripts.get(workflowId) ?? this.options.defaultScript ?? {};

    const idempotencyKey = header(req, 'idempotency-key');
    const scope =
      idempotencyKey && this.options.honourIdempotencyKey
        ? `${processInstanceId}/${workflowId}/${idempotencyKey}`
        : undefined;
    if (scope && this.keysInFlight.has(scope)) {
      return send(
        409,
        { success: false, error: 'A request with this Idempotency-Key is still being processed' },
        { 'Retry-After': '1' },
      );
    }
    let executionId = scope ? this.idempotency.get(scope) : undefined;
    if (!executionId) {
      executionId = randomUUID();
      const now = Date.now();
      const attemptKey = JSON.stringify([processInstanceId, workflowId, payload]);
      const attempt = (this.attempts.get(attemptKey) ?? 0) + 1;
      this.attempts.set(attemptKey, attempt);
      const execution: MockExecution = {
        executionId,
        processInstanceId,
        workflowId,
        payload,
        idempotencyKey,
        attempt,
        createdAt: now,
        finishesAt:
          now + (typeof script.durationMs === 'function' ? script.durationMs(payload) : (script.durationMs ?? 0)),
        script,
        statusChecks: 0,
      };
      this.executions.set(executionId, execution);
      if (scope) this.idempotency.set(scope, executionId);
      this.scheduleCallback(execution);
    }
    record.executionId = executionId;
    if (scope) this.keysInFlight.add(scope);
    try {
      if (faultAfter && (await this.strike(faultAfter, req, res, record, send))) return;
    } finally {
      if (scope) this.keysInFlight.delete(scope);
    }
    send(200, { success: true, [script.idField ?? 'executionId']: executionId, message: 'Execution started' });
  }

  private handleStatus(
    record: MockRequestRecord,
    fault: MockFault | undefined,
    send: (status: number, payload: unknown, extraHeaders?: Record<string, string>, raw?: string) => void,
  ): void {
    const notFound = { success: false, error: `Execution ${record.executionId} not found` };
    const execution = this.executions.get(record.executionId!);
    if (!execution || execution.processInstanceId !== record.processInstanceId) return send(404, notFound);
    // Not yet visible to the status endpoint: answered exactly as an unknown execution.
    execution.statusChecks += 1;
    if (execution.statusChecks <= (execution.script.notFoundChecks ?? 0)) return send(404, notFound);
    if (fault?.kind === 'status_value') return send(200, { execution: { status: fault.value } });
    if (Date.now() < execution.finishesAt) return send(200, { execution: { status: 'pending' } });
    const { script } = execution;
    if (script.failWithoutMessage) return send(200, { execution: { status: 'failed' } });
    const failure = failureOf(execution);
    if (failure !== undefined) {
      return send(200, { execution: { status: 'failed', errorDetails: { message: failure } } });
    }
    if (script.resultBytes !== undefined) return send(200, undefined, {}, this.largeResultBody(script.resultBytes));
    const resultData =
      typeof script.resultData === 'function'
        ? (script.resultData as (p: unknown) => unknown)(execution.payload)
        : (script.resultData ?? { echo: execution.payload });
    send(200, { execution: { status: 'success', resultData } });
  }

  /** The success body of a `resultBytes` script, built at its first use and then reused. */
  private largeResultBody(bytes: number): string {
    let body = this.largeResultBodies.get(bytes);
    if (body === undefined) {
      body = JSON.stringify({ execution: { status: 'success', resultData: largeResultData(bytes) } });
      this.largeResultBodies.set(bytes, body);
    }
    return body;
  }

  /** Returns an error message when the request's credentials are missing or wrong. */
  private authenticate(
    req: IncomingMessage,
    url: URL,
    body: string,
    processInstanceId: string,
    record: MockRequestRecord,
  ): string | undefined {
    const { apiKey, apiKeys, webhookSecret } = this.options;
    const expectedKey = apiKeys?.[processInstanceId] ?? apiKey;
    if (!expectedKey && !webhookSecret) return undefined;

    const signature = header(req, 'webhook-signature');
    if (signature) {
      record.auth = 'signature';
      if (!this.verifier) return 'Signature authentication is not enabled for this instance';
      return this.verifier.verify(body, req.headers);
    }
    const given = header(req, 'x-api-key') ?? url.searchParams.get('api_key') ?? undefined;
    record.auth = header(req, 'x-api-key') ? 'header' : url.searchParams.has('api_key') ? 'query' : 'none';
    if (!given) return 'Missing API key';
    if (!expectedKey || given !== expectedKey) return 'Invalid API key';
    return undefined;
  }
}

/** Refuses a script whose options contradict each other or are out of range. */
function checkScript(name: string, script: MockExecutionScript): void {
  if (script.resultData !== undefined && script.resultBytes !== undefined) {
    throw new Error(`The ${name} gives both resultData and resultBytes: give one`);
  }
  const { resultBytes, notFoundChecks } = script;
  if (resultBytes !== undefined && !(Number.isSafeInteger(resultBytes) && resultBytes >= 0)) {
    throw new RangeError(`The ${name} has resultBytes ${resultBytes}: a whole number of at least 0 is needed`);
  }
  if (
    notFoundChecks !== undefined &&
    !((Number.isSafeInteger(notFoundChecks) && notFoundChecks >= 0) || notFoundChecks === Infinity)
  ) {
    throw new RangeError(`The ${name} has notFoundChecks ${notFoundChecks}: a whole number of at least 0 is needed`);
  }
}

/**
 * `{ summary: { ok: true, bytes }, blob: 'xxx…' }` whose JSON is `bytes` bytes long, or its fixed
 * part alone (about 45 bytes) when that is already longer.
 */
function largeResultData(bytes: number): { summary: { ok: true; bytes: number }; blob: string } {
  const fixed = Buffer.byteLength(JSON.stringify({ summary: { ok: true, bytes }, blob: '' }));
  return { summary: { ok: true, bytes }, blob: 'x'.repeat(Math.max(0, bytes - fixed)) };
}

function expandFaults(faults: MockFault[] | undefined): MockFault[] {
  return (faults ?? []).flatMap((fault) => Array.from({ length: fault.times ?? 1 }, () => fault));
}

function safeDecode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** A trigger body's `payload` (the whole body without one); undefined when it is not JSON. */
function payloadOf(body: string): unknown {
  try {
    const parsed: unknown = body.trim() === '' ? {} : JSON.parse(body);
    return isObject(parsed) && 'payload' in parsed ? parsed.payload : parsed;
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
