/**
 * A key created with `threadline keys create`, as stored: the key itself is never kept, only its
 * SHA-256. `id` is public (it is part of the key and is what `keys list` and `keys revoke` show).
 */
export interface AccessKeyRecord {
  id: string;
  /** The one product this key may read. */
  productId: string;
  name: string | null;
  /** SHA-256 of the whole key, hex. */
  keyHash: string;
  /** ISO 8601. */
  createdAt: string;
}

/** Stored access keys (CLI-created), and when each key (CLI or environment) was last used. */
export interface AccessKeyStore {
  /** Stores a new key; throws if the id is already taken. */
  create(record: AccessKeyRecord): Promise<void>;
  get(id: string): Promise<AccessKeyRecord | null>;
  /** Every stored key, oldest first. */
  list(): Promise<AccessKeyRecord[]>;
  /** Deletes the key; false when there was none with this id. */
  revoke(id: string): Promise<boolean>;
  recordUse(id: string, at: Date): Promise<void>;
  /** Last use (ISO 8601) by key id, for the ids that were ever used. */
  lastUses(): Promise<Record<string, string>>;
}
