/**
 * The local cluster's settings, read from `cluster/cluster.json`: the one source that the native
 * cluster and docker-compose.yml share (a test holds the compose file to it).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The repository's (or installed package's) `cluster/` folder. */
export const CLUSTER_CONFIG_DIR = join(__dirname, '..', '..', '..', 'cluster');

/** The ports every part listens on, all on 127.0.0.1. */
export interface ClusterPorts {
  postgres: number;
  frontendGrpc: number;
  frontendMembership: number;
  frontendHttp: number;
  historyGrpc: number;
  historyMembership: number;
  matchingGrpc: number;
  matchingMembership: number;
  workerGrpc: number;
  workerMembership: number;
  ui: number;
}

/** What `cluster/cluster.json` holds. */
export interface ClusterSettings {
  versions: { temporalServer: string; temporalUiServer: string; postgres: string };
  /** Fixed when the schema is created. */
  historyShards: number;
  databases: { temporal: string; visibility: string };
  sqlPlugin: string;
  namespace: { name: string; retention: string };
  ports: ClusterPorts;
  /** Bundled workers `npm run cluster` starts. */
  workers: number;
}

/** Reads `cluster/cluster.json`. */
export function readClusterSettings(dir = CLUSTER_CONFIG_DIR): ClusterSettings {
  return JSON.parse(readFileSync(join(dir, 'cluster.json'), 'utf8')) as ClusterSettings;
}
