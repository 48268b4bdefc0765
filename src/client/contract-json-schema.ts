/**
 * The JSON Schemas of a contract, where its schema library implements Standard JSON Schema (zod 4
 * does; valibot and arktype need an adapter of their own).
 */
import type { StandardJSONSchemaV1 } from '@standard-schema/spec';
import type { AnyCodikaWorkflowContract } from '../shared/contracts';
import { CodikaValidationError } from '../shared/errors';

/** An object's JSON Schema, as far as the pipeline checks read it. */
interface ObjectJsonSchema {
  required?: string[];
  properties?: Record<string, unknown>;
  additionalProperties?: unknown;
}

const TARGET = 'draft-2020-12';

/**
 * `{ input, result }` JSON Schemas (draft 2020-12) of a contract: the input side of its payload
 * schema (what callers send) and the output side of its result schema (what the step returns).
 *
 * @throws CodikaValidationError naming the contract and its vendor when a schema cannot give one.
 */
export function contractJsonSchemas(contract: AnyCodikaWorkflowContract): {
  input: Record<string, unknown>;
  result: Record<string, unknown>;
} {
  return {
    input: converterOf(contract, 'input').input({ target: TARGET }),
    result: converterOf(contract, 'result').output({ target: TARGET }),
  };
}

/** The payload's JSON Schema, or none when the library does not implement Standard JSON Schema. */
export function inputJsonSchema(contract: AnyCodikaWorkflowContract): ObjectJsonSchema | undefined {
  const converter = jsonSchemaProps(contract.input)?.jsonSchema;
  return converter ? (converter.input({ target: TARGET }) as ObjectJsonSchema) : undefined;
}

function converterOf(contract: AnyCodikaWorkflowContract, side: 'input' | 'result'): StandardJSONSchemaV1.Converter {
  const standard = jsonSchemaProps(contract[side]);
  if (!standard?.jsonSchema) {
    throw new CodikaValidationError(
      `${contract.workflowId}.${side}`,
      `its schema (${standard?.vendor ?? 'unknown library'}) does not implement Standard JSON Schema, so it cannot be exported: ` +
        'use zod 4, or a library version that implements standardschema.dev/json-schema',
    );
  }
  return standard.jsonSchema;
}

/** A schema's Standard properties, with `jsonSchema` when its library implements Standard JSON Schema. */
function jsonSchemaProps(schema: unknown): Partial<StandardJSONSchemaV1.Props> | undefined {
  return (schema as { '~standard'?: Partial<StandardJSONSchemaV1.Props> })['~standard'];
}
