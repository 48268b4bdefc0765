import { patched } from '@temporalio/workflow';

/**
 * The library's patches up to 2026-12. A run that meets them on today's code records this one marker
 * instead of one per patch: each marker costs two history events (the marker and the server's
 * `TemporalChangeVersion` update) and the update is a billable action on Temporal Cloud, so a default
 * execution saved six events and three actions, a pipeline run more. The list is closed: a patch
 * added later is asked on its own (or under a marker of its own), since runs recorded with this one
 * never took its way.
 */
export const LIBRARY_PATCHES_2026_12 = 'codika-patches-2026-12';

/** The patches it answers for: every one the library had when it came. */
export const COVERED_BY_2026_12 = [
  'codika-auto-strategy-by-default',
  'codika-trigger-delivery',
  'codika-status-answers',
  'codika-run-index',
  'codika-left-running',
  'codika-pipeline-continue-as-new',
  'codika-pipeline-one-state',
  'codika-pipeline-batch-window',
  'codika-pipeline-trigger-wait-carried',
  'codika-pipeline-sizes-checked',
] as const;

/** A patch the 2026-12 marker answers for. */
export type CoveredPatch = (typeof COVERED_BY_2026_12)[number];

/**
 * `patched(patchId)`, answered by the one 2026-12 marker where a run has it. A history recorded
 * before that marker has the patch's own marker, or none, and replays as it ran: `patched()` of a
 * marker absent from a replayed history is false and records nothing.
 */
export function libraryPatched(patchId: CoveredPatch): boolean {
  return onLibraryPatches2026_12() || patched(patchId);
}

/**
 * True on runs with the 2026-12 marker: the ways that came with it (`auto`'s whole wait in one
 * activity) need no marker of their own, since no run recorded the marker without them.
 */
export function onLibraryPatches2026_12(): boolean {
  return patched(LIBRARY_PATCHES_2026_12);
}
