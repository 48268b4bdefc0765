// The worker serves this queue and the client starts runs on it: with two names, runs wait for a worker forever.
export const TASK_QUEUE = 'quickstart';
