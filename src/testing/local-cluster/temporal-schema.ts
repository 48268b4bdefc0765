/**
 * The cluster's databases and schemas, created and migrated with the Temporal server's own SQL tool,
 * the same steps docker-compose.yml's schema job runs with `temporalio/admin-tools`. Safe to run on
 * every start: creating an existing database is skipped, and `update-schema` applies only what is new.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ClusterSettings } from './cluster-settings';

/** The SQL tool's arguments for each step, for one database: what both the native cluster and compose run. */
export function schemaSteps(database: string, versionedDir: string): string[][] {
  return [
    ['--db', database, 'create-database'],
    ['--db', database, 'setup-schema', '-v', '0.0'],
    ['--db', database, 'update-schema', '-d', versionedDir],
  ];
}

/** Creates and migrates the temporal and visibility databases. @throws Error with the tool's output when a step fails. */
export async function migrateSchemas(options: {
  sqlTool: string;
  postgresSchemaDir: string;
  settings: ClusterSettings;
  postgresPort: number;
  user: string;
  password: string;
}): Promise<void> {
  const { settings } = options;
  const connection = [
    '--plugin',
    settings.sqlPlugin,
    '--ep',
    '127.0.0.1',
    '-p',
    String(options.postgresPort),
    '-u',
    options.user,
    '--pw',
    options.password,
  ];
  const databases: [string, string][] = [
    [settings.databases.temporal, join(options.postgresSchemaDir, 'temporal', 'versioned')],
    [settings.databases.visibility, join(options.postgresSchemaDir, 'visibility', 'versioned')],
  ];
  for (const [database, versioned] of databases) {
    for (const step of schemaSteps(database, versioned)) {
      // A database or schema that exists already is not an error on a second start.
      const quiet = step.includes('create-database') || step.includes('setup-schema') ? ['--quiet'] : [];
      try {
        await promisify(execFile)(options.sqlTool, [...connection, ...quiet, ...step], { maxBuffer: 16 * 1024 * 1024 });
      } catch (err) {
        const output = (err as { stderr?: string; stdout?: string }).stderr || String(err);
        throw new Error(`temporal-sql-tool ${step.join(' ')} failed:\n${output.split('\n').slice(-15).join('\n')}`);
      }
    }
  }
}
