import crypto from 'node:crypto';

/**
 * Data keys for personal fields (R-SECRET at rest). DATA_KEY is "<keyId>:<base64 32 bytes>"
 * (a bare base64 key gets id "k1"); DATA_KEYS_PREVIOUS lists older keys the same way,
 * comma-separated, so that values written under them stay readable until `npm run keys:rotate`
 * re-encrypts them under the current key.
 */
export interface DataKey {
  id: string;
  key: Buffer;
  /** The same key as a KeyObject: createCipheriv/createDecipheriv take it ~2x faster than raw bytes. */
  object: crypto.KeyObject;
}

export class KeyError extends Error {}

export function parseKey(spec: string, name: string): DataKey {
  const m = /^(?:([A-Za-z0-9_-]{1,20}):)?([A-Za-z0-9+/=_-]+)$/.exec(spec.trim());
  if (!m) throw new KeyError(`${name} must be "<keyId>:<base64 key>" or a base64 key`);
  const key = Buffer.from(m[2], 'base64');
  if (key.length !== 32) throw new KeyError(`${name} must decode to 32 bytes (AES-256), got ${key.length}`);
  return { id: m[1] ?? 'k1', key, object: crypto.createSecretKey(key) };
}

export class Keyring {
  readonly current: DataKey;
  private readonly byId: Map<string, DataKey>;

  constructor(current: DataKey, previous: DataKey[] = [], readonly blindIndexKey: Buffer) {
    this.current = current;
    this.byId = new Map([...previous, current].map((k) => [k.id, k]));
    if (blindIndexKey.length < 32) throw new KeyError('BLIND_INDEX_KEY must decode to at least 32 bytes');
  }

  get(id: string): DataKey {
    const k = this.byId.get(id);
    if (!k) throw new KeyError(`No data key with id ${id}: add it to DATA_KEYS_PREVIOUS`);
    return k;
  }

  ids(): string[] {
    return [...this.byId.keys()];
  }

  /** A key check value: proves at start that the configured key is the one the data was written with. */
  static checkValue(key: Buffer): string {
    return crypto.createHmac('sha256', key).update('custodian key check value v1').digest('hex').slice(0, 32);
  }
}
