import type { LocalTemporalServer } from '../../src/testing/local-temporal-server';

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __temporalServer?: LocalTemporalServer }).__temporalServer?.stop();
}
