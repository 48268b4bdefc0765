/**
 * Loads the contracts of Codika workflows from a module of the user's (`CODIKA_CONTRACTS_MODULE` for
 * the bundled worker, `--contracts` in the CLI): every exported contract, under any name.
 */
import { resolve } from 'node:path';
import { isCodikaWorkflowContract, type AnyCodikaWorkflowContract } from '../shared/contracts';
import { CodikaValidationError } from '../shared/errors';

/**
 * The contracts `modulePath` exports (named exports, a default export, or arrays of them).
 *
 * @throws CodikaValidationError naming `field` when the module cannot be loaded or exports no contract.
 */
export function loadContractsModule(
  modulePath: string,
  field = 'CODIKA_CONTRACTS_MODULE',
): AnyCodikaWorkflowContract[] {
  const absolute = resolve(modulePath);
  let exported: Record<string, unknown>;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a path known only at run time
    exported = require(absolute) as Record<string, unknown>;
  } catch (err) {
    throw new CodikaValidationError(
      field,
      `cannot load "${modulePath}" (${err instanceof Error ? err.message.split('\n')[0] : String(err)}); ` +
        'give the path of a .js module (or .ts when run with tsx) that exports contracts made with defineCodikaWorkflow',
    );
  }
  const contracts = new Map<string, AnyCodikaWorkflowContract>();
  const collect = (value: unknown) => {
    if (Array.isArray(value)) return value.forEach(collect);
    if (!isCodikaWorkflowContract(value)) return;
    // The same contract under two names is one contract; two contracts for one workflow are a mistake.
    const known = contracts.get(value.workflowId);
    if (known && known !== value) {
      throw new CodikaValidationError(field, `"${modulePath}" exports two contracts for "${value.workflowId}"`);
    }
    contracts.set(value.workflowId, value);
  };
  Object.values(exported).forEach(collect);
  if (exported.default && typeof exported.default === 'object') Object.values(exported.default).forEach(collect);
  if (contracts.size === 0) {
    throw new CodikaValidationError(
      field,
      `"${modulePath}" exports no contract: export the results of defineCodikaWorkflow`,
    );
  }
  return [...contracts.values()];
}
