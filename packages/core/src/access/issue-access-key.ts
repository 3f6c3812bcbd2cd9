import type { AccessKeyRecord, AccessKeyStore } from '../ports/access-key-store.js';
import { generateAccessKey, hashAccessKey } from './access-key.js';

export interface IssuedAccessKey {
  record: AccessKeyRecord;
  /** The key itself: shown once to whoever asked, then only its hash exists. */
  key: string;
}

export interface IssueAccessKeyDependencies {
  keys: Pick<AccessKeyStore, 'create'>;
  now(): Date;
}

/** Makes a key bound to one product and stores its SHA-256 (what `threadline keys create` does). */
export async function issueAccessKey(
  productId: string,
  name: string | null,
  deps: IssueAccessKeyDependencies,
): Promise<IssuedAccessKey> {
  const { id, key } = generateAccessKey();
  const record: AccessKeyRecord = {
    id,
    productId,
    name,
    keyHash: hashAccessKey(key),
    createdAt: deps.now().toISOString(),
  };
  await deps.keys.create(record);
  return { record, key };
}
