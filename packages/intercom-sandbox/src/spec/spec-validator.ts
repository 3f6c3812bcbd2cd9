import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { loadOpenApiDocument } from './openapi-document.js';
import { openApiToJsonSchema } from './openapi-to-json-schema.js';

/** Why a value does not satisfy a spec schema, phrased like an Intercom `error.list` entry. */
export interface SpecViolation {
  /** `parameter_not_found` for a missing required field, `parameter_invalid` for everything else. */
  code: 'parameter_not_found' | 'parameter_invalid';
  /** Human-readable, names the offending field (dotted path), e.g. `admin_id is required`. */
  message: string;
  /** Dotted path of the offending field, `''` for the whole body. */
  field: string;
}

/** Outcome of checking a value against a named `components/schemas` entry. */
export type SpecCheck = { valid: true } | { valid: false; violation: SpecViolation };

// ajv-formats ships CommonJS; under NodeNext its default export arrives wrapped.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const specId = 'intercom-openapi';

interface Compiled {
  ajv: Ajv;
  schemas: Record<string, unknown>;
  validators: Map<string, ValidateFunction>;
}

const compiledByFormatMode = new Map<boolean, Compiled>();

function compiled(checkFormats: boolean): Compiled {
  let entry = compiledByFormatMode.get(checkFormats);
  if (!entry) {
    const schemas = openApiToJsonSchema(loadOpenApiDocument().components.schemas) as Record<string, unknown>;
    const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: checkFormats });
    addFormats(ajv);
    ajv.addSchema({ components: { schemas } }, specId);
    entry = { ajv, schemas, validators: new Map() };
    compiledByFormatMode.set(checkFormats, entry);
  }
  return entry;
}

function validatorAt(entry: Compiled, pointer: string): ValidateFunction {
  let validate = entry.validators.get(pointer);
  if (!validate) {
    validate = entry.ajv.compile({ $ref: `${specId}#${pointer}` });
    entry.validators.set(pointer, validate);
  }
  return validate;
}

function schemaAt(entry: Compiled, pointer: string): Record<string, unknown> | undefined {
  let node: unknown = { components: { schemas: entry.schemas } };
  for (const token of pointer.split('/').slice(1)) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[token.replaceAll('~1', '/').replaceAll('~0', '~')];
  }
  return typeof node === 'object' && node !== null ? (node as Record<string, unknown>) : undefined;
}

/** Follows a top-level `$ref` so a `oneOf` behind a reference is seen. */
function resolvedPointer(entry: Compiled, pointer: string): string {
  const ref = schemaAt(entry, pointer)?.$ref;
  return typeof ref === 'string' && ref.startsWith('#/') ? resolvedPointer(entry, ref.slice(1)) : pointer;
}

function dottedField(error: ErrorObject): string {
  const segments = error.instancePath.split('/').slice(1);
  if (error.keyword === 'required') segments.push(String(error.params.missingProperty));
  return segments.join('.');
}

function violationFrom(error: ErrorObject): SpecViolation {
  const field = dottedField(error);
  const subject = field === '' ? 'body' : field;
  switch (error.keyword) {
    case 'required':
      return { code: 'parameter_not_found', field, message: `${subject} is required` };
    case 'enum':
      return {
        code: 'parameter_invalid',
        field,
        message: `${subject} must be one of: ${(error.params.allowedValues as unknown[]).map(String).join(', ')}`,
      };
    case 'type':
      return {
        code: 'parameter_invalid',
        field,
        message: `${subject} must be of type ${String(error.params.type)}`,
      };
    default:
      return { code: 'parameter_invalid', field, message: `${subject} ${error.message ?? 'is invalid'}` };
  }
}

const combinatorKeywords = new Set(['oneOf', 'anyOf', 'allOf', 'if', 'not']);

/** Picks the most telling error: a concrete one (not "must match oneOf") at the deepest field. */
function mostTellingError(errors: ErrorObject[]): ErrorObject | undefined {
  const concrete = errors.filter((error) => !combinatorKeywords.has(error.keyword));
  const candidates = concrete.length > 0 ? concrete : errors;
  return [...candidates].sort((a, b) => b.instancePath.length - a.instancePath.length)[0];
}

function explain(entry: Compiled, pointer: string, value: unknown, errors: ErrorObject[]): SpecViolation {
  const target = resolvedPointer(entry, pointer);
  const branches = schemaAt(entry, target)?.oneOf;
  if (Array.isArray(branches)) {
    // ajv reports every branch of a oneOf at once; the request was meant for the branch it comes closest to.
    let closest: { pointer: string; errors: ErrorObject[] } | undefined;
    for (let index = 0; index < branches.length; index += 1) {
      const branchPointer = `${target}/oneOf/${index}`;
      const validate = validatorAt(entry, branchPointer);
      if (validate(value)) {
        return { code: 'parameter_invalid', field: '', message: 'body matches more than one accepted shape' };
      }
      const branchErrors = validate.errors ?? [];
      if (!closest || branchErrors.length < closest.errors.length) {
        closest = { pointer: branchPointer, errors: [...branchErrors] };
      }
    }
    if (closest) return explain(entry, closest.pointer, value, closest.errors);
  }
  const error = mostTellingError(errors);
  return error
    ? violationFrom(error)
    : { code: 'parameter_invalid', field: '', message: 'body does not match the API schema' };
}

/**
 * Checks `value` against `components/schemas/<schemaName>` of the vendored Intercom OpenAPI file.
 * Validators are compiled once per schema and cached; the YAML is loaded on first call.
 * `checkFormats: false` ignores `format` (the spec's own examples use relative URLs where it says `uri`).
 */
export function checkAgainstSpec(
  schemaName: string,
  value: unknown,
  options: { checkFormats?: boolean } = {},
): SpecCheck {
  const entry = compiled(options.checkFormats ?? true);
  const pointer = `/components/schemas/${schemaName}`;
  if (!schemaAt(entry, pointer))
    throw new Error(`the Intercom OpenAPI file has no schema named ${schemaName}`);
  const validate = validatorAt(entry, pointer);
  if (validate(value)) return { valid: true };
  return { valid: false, violation: explain(entry, pointer, value, [...(validate.errors ?? [])]) };
}
