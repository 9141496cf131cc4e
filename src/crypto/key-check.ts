import { Database } from '../db/database';
import { KeyCheck } from '../entities/KeyCheck';
import { KeyError, Keyring } from './keyring';

/**
 * Compares every configured key with the check value recorded when it was first used; records
 * the value for a key seen for the first time. A mismatch means the environment carries a
 * different key than the one the data was written with: refuse to start (a wrong DATA_KEY is
 * detected here, not discovered later as undecryptable fields).
 */
export async function verifyKeys(db: Database, keyring: Keyring): Promise<void> {
  const entries: Array<[string, Buffer]> = [
    ...keyring.ids().map((id): [string, Buffer] => [`data:${id}`, keyring.get(id).key]),
    ['blind-index', keyring.blindIndexKey],
  ];
  await db.tx(async (m) => {
    const repo = m.getRepository(KeyCheck);
    for (const [id, key] of entries) {
      const value = Keyring.checkValue(key);
      const stored = await repo.findOneBy({ id });
      if (!stored) await repo.insert({ id, checkValue: value, createdAt: new Date() });
      else if (stored.checkValue !== value) {
        const name = id === 'blind-index' ? 'BLIND_INDEX_KEY' : `the data key "${id.slice(5)}" (DATA_KEY or DATA_KEYS_PREVIOUS)`;
        throw new KeyError(`Refusing to start: ${name} is not the key this database was written with (key check value mismatch)`);
      }
    }
  });
}
