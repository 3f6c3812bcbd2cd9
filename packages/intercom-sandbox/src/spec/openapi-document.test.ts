import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadOpenApiDocument, openApiDocumentPath } from './openapi-document.js';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const sharedCopy = `${repoRoot}../shared/intercom-openapi/api.intercom.io.yaml`;

describe('vendored Intercom OpenAPI description', () => {
  it('has the SHA-256 recorded in openapi/SOURCE.md', () => {
    const source = readFileSync(new URL('../../openapi/SOURCE.md', import.meta.url), 'utf8');
    const recorded = /SHA-256 of the copied file: `([0-9a-f]{64})`/.exec(source)?.[1];
    const actual = createHash('sha256').update(readFileSync(openApiDocumentPath)).digest('hex');
    expect(actual).toBe(recorded);
  });

  it('is byte-identical to the shared copy when that copy exists', () => {
    const vendored = readFileSync(openApiDocumentPath);
    const shared = existsSync(sharedCopy) ? readFileSync(sharedCopy) : vendored;
    expect(vendored.equals(shared)).toBe(true);
  });

  it('is the 2.16 description and is parsed only once', () => {
    const first = loadOpenApiDocument();
    expect(first.info.version).toBe('2.16');
    expect(loadOpenApiDocument()).toBe(first);
  });
});
