import globalSetup from './global-setup';

/** The shared setup, on the oldest supported server: every server a test starts is that one too. */
export default async function compatGlobalSetup(): Promise<void> {
  process.env.CODIKA_TEMPORAL_SERVER = 'oldest-supported';
  await globalSetup();
}
