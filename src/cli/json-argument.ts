import { readFileSync } from 'node:fs';
import { UsageError } from './errors';

/**
 * Reads a JSON argument: inline (`'{"a":1}'`) or from a file (`@input.json`).
 *
 * @throws UsageError naming the option and what is wrong.
 */
export function readJsonArgument(option: string, value: string): unknown {
  const fromFile = value.startsWith('@');
  const text = fromFile ? readFileArgument(option, value.slice(1)) : value;
  try {
    return JSON.parse(text);
  } catch (err) {
    const where = fromFile ? `the file ${value.slice(1)}` : 'the value';
    throw new UsageError(`${option}: ${where} is not valid JSON (${(err as Error).message})`);
  }
}

/** Reads a JSON file the user named. @throws UsageError when it is missing or not JSON. */
export function readJsonFile(option: string, path: string): unknown {
  return readJsonArgument(option, `@${path}`);
}

function readFileArgument(option: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`${option}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
}
