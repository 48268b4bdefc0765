import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The version in the package's own package.json, read at run time: this module sits two folders
 * below the package root both as source (src/cli/) and compiled (dist/cli/), and importing the JSON
 * instead would fall outside the build's rootDir and copy it into dist/.
 */
export function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
    version: string;
  };
  return manifest.version;
}
