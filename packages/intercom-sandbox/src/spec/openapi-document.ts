import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

/** Absolute path of the vendored Intercom OpenAPI description (v2.16). */
export const openApiDocumentPath = fileURLToPath(
  new URL('../../openapi/api.intercom.io.yaml', import.meta.url),
);

/** The part of the OpenAPI document the sandbox reads. */
export interface OpenApiDocument {
  info: { version: string };
  paths: Record<string, unknown>;
  components: { schemas: Record<string, unknown> };
}

let cached: OpenApiDocument | undefined;

/** Parses the vendored OpenAPI file on first use and returns the same object afterwards (it is 1.3 MB). */
export function loadOpenApiDocument(): OpenApiDocument {
  cached ??= parse(readFileSync(openApiDocumentPath, 'utf8'), { maxAliasCount: -1 }) as OpenApiDocument;
  return cached;
}
