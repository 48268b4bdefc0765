/** The run's time budget and Ctrl+C / SIGTERM, seen as one abort. */
export interface RunAbort {
  /** Rejects when the budget runs out or on a signal. */
  aborted: Promise<never>;
  /** Fired at the same moment, for scenarios that stop themselves. */
  signal: AbortSignal;
  /** Disarms the timer and the signal handlers. */
  clear(): void;
}

/**
 * A promise that rejects when the budget runs out or on Ctrl+C / SIGTERM, an AbortSignal fired at
 * the same moment, and a way to disarm both.
 */
export function abortOnBudgetOrSignal(budgetMs: number): RunAbort {
  let onSignal: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;
  const controller = new AbortController();
  const aborted = new Promise<never>((_, reject) => {
    const fail = (err: Error) => {
      controller.abort(err);
      reject(err);
    };
    timer = setTimeout(() => fail(new Error(`the run exceeded its ${budgetMs / 1000} s budget`)), budgetMs);
    onSignal = () => fail(new Error('interrupted'));
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
  return {
    aborted,
    signal: controller.signal,
    clear() {
      clearTimeout(timer);
      if (onSignal) {
        process.removeListener('SIGINT', onSignal);
        process.removeListener('SIGTERM', onSignal);
      }
    },
  };
}

/** Rejects like `aborted`, but `graceMs` later: time for a scenario that honours the signal to wind down. */
export function windDown(aborted: Promise<never>, graceMs: number): Promise<never> {
  return aborted.catch(async (err: unknown) => {
    await new Promise((resolve) => setTimeout(resolve, graceMs).unref());
    throw err;
  });
}
