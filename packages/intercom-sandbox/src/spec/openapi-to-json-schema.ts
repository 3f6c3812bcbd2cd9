type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Rewrites OpenAPI 3.0 schema dialect into plain JSON Schema that ajv understands: `nullable: true`
 * becomes a `null` type (or an `anyOf` with `null` when the schema has no `type`, e.g. a `$ref` or a
 * `oneOf`). Returns a new tree; the input is not modified.
 */
export function openApiToJsonSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(openApiToJsonSchema);
  if (!isObject(schema)) return schema;
  const converted: JsonObject = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'nullable' || key === 'example' || key === 'examples') continue;
    converted[key] =
      key === 'properties' || key === 'definitions' ? mapValues(value) : openApiToJsonSchema(value);
  }
  if (schema.nullable !== true) return converted;
  if (typeof converted.type === 'string') {
    converted.type = [converted.type, 'null'];
    if (Array.isArray(converted.enum)) converted.enum = [...converted.enum, null];
    return converted;
  }
  return { anyOf: [converted, { type: 'null' }] };
}

function mapValues(value: unknown): unknown {
  if (!isObject(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([name, child]) => [name, openApiToJsonSchema(child)]));
}
