import crypto from 'node:crypto';
import { Keyring } from './keyring';

/**
 * AES-256-GCM for one field value. Stored as base64(iv[12] | tag[16] | ciphertext); the key id
 * is stored beside it on the record. The AAD binds a value to its field, so a ciphertext
 * copied into another column does not decrypt.
 */
export class FieldCipher {
  constructor(private readonly keys: Keyring) {}

  get currentKeyId(): string {
    return this.keys.current.id;
  }

  encrypt(plain: string, field: string, keyId = this.keys.current.id): string {
    const iv = crypto.randomBytes(12);
    const cipher = crypto.createCipheriv('aes-256-gcm', this.keys.get(keyId).object, iv);
    cipher.setAAD(Buffer.from(field, 'utf8'));
    const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), ct]).toString('base64');
  }

  decrypt(stored: string, field: string, keyId: string): string {
    const buf = Buffer.from(stored, 'base64');
    const decipher = crypto.createDecipheriv('aes-256-gcm', this.keys.get(keyId).object, buf.subarray(0, 12));
    decipher.setAAD(Buffer.from(field, 'utf8'));
    decipher.setAuthTag(buf.subarray(12, 28));
    return Buffer.concat([decipher.update(buf.subarray(28)), decipher.final()]).toString('utf8');
  }

  encryptOptional(plain: string | null | undefined, field: string, keyId?: string): string | null {
    return plain === null || plain === undefined || plain === '' ? null : this.encrypt(plain, field, keyId);
  }

  decryptOptional(stored: string | null, field: string, keyId: string): string | null {
    return stored === null ? null : this.decrypt(stored, field, keyId);
  }

  /**
   * Keyed blind index (HMAC-SHA-256 under BLIND_INDEX_KEY) of a normalised value: exact search
   * by phone or ID number without decrypting the table; the index reveals nothing without the key.
   */
  blindIndex(kind: string, normalised: string): string {
    return crypto.createHmac('sha256', this.keys.blindIndexKey).update(`${kind}\u0000${normalised}`).digest('hex');
  }
}
