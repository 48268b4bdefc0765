import { isPortFree } from '../../src/testing/local-temporal-server';
import type { ClusterPorts } from '../../src/testing/local-cluster/cluster-settings';

/** Ports of every listener of a test's own cluster, none the same and none busy now. */
export async function freeClusterPorts(): Promise<ClusterPorts> {
  const names: (keyof ClusterPorts)[] = [
    'postgres',
    'frontendGrpc',
    'frontendMembership',
    'frontendHttp',
    'historyGrpc',
    'historyMembership',
    'matchingGrpc',
    'matchingMembership',
    'workerGrpc',
    'workerMembership',
    'ui',
  ];
  const ports: Partial<ClusterPorts> = {};
  const taken = new Set<number>();
  for (const name of names) ports[name] = await freePortBelow32768(taken);
  return ports as ClusterPorts;
}

/**
 * A free port below 32768: Temporal keeps each service's membership port in a PostgreSQL `smallint`,
 * and the kernel's ephemeral ports (what port 0 gives) are above it.
 */
async function freePortBelow32768(taken: Set<number>): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (taken.has(port)) continue;
    if (await isPortFree(port)) {
      taken.add(port);
      return port;
    }
  }
}
