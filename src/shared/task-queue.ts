/**
 * The task queue the bundled worker polls and the client helpers start runs on, unless told
 * otherwise (`CODIKA_TASK_QUEUE`, `--task-queue`, `taskQueue`).
 */
export const DEFAULT_TASK_QUEUE = 'codika';
