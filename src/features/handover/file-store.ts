import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../../errors';
import type { FieldCipher } from '../../crypto/field-cipher';

/** The service cannot use HANDOVER_STORAGE_DIR (missing and uncreatable, not writable, or files missing). */
export class StorageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StorageError';
  }
}

/** Ciphertext layout: magic "CHF1" | iv (12) | GCM tag (16) | ciphertext. */
const MAGIC = Buffer.from('CHF1', 'ascii');
const HEADER = MAGIC.length + 12 + 16;
export const STORED_SUFFIX = '.hf';
const STORED_NAME = /^[0-9a-f-]{36}\.hf$/;

/** A freshly encrypted file: where it is and its key, wrapped by the current data key. */
export interface Sealed {
  storageName: string;
  wrappedKey: string;
  keyId: string;
}

const storageFailure = (err: unknown) =>
  new AppError(503, 'storage_unavailable', `The handover file store cannot be written (${(err as NodeJS.ErrnoException).code ?? 'I/O error'}); nothing was recorded`);

/**
 * Encryption at rest of handover files (R-HANDOVER-HOLD): each file gets its own random
 * AES-256-GCM key; only that key, wrapped by the service data key (FieldCipher, so the key id is
 * kept and rotation works), ever reaches the database. The bytes on disk are ciphertext bound to
 * their storage name (AAD). Destruction = delete the wrapped key (the bytes become unreadable),
 * then overwrite and unlink the bytes (R-HANDOVER-DESTROY).
 */
export class HandoverFileStore {
  readonly dir: string;

  constructor(
    dir: string,
    private readonly cipher: FieldCipher,
  ) {
    this.dir = path.resolve(dir);
  }

  pathOf(storageName: string): string {
    if (!STORED_NAME.test(storageName)) throw new Error(`not a handover storage name: ${storageName}`);
    return path.join(this.dir, storageName);
  }

  private keyField = (storageName: string) => `handover_file_key:${storageName}`;
  private contentAad = (storageName: string) => Buffer.from(`handover_file:${storageName}`, 'utf8');

  /**
   * Start-up check: the directory exists (created when missing, unless `mustExist`: files are
   * recorded as held there, so an empty new directory would silently lose them) and is writable.
   */
  checkWritable(opts: { mustExist: boolean; heldCount: number }): void {
    if (!fs.existsSync(this.dir)) {
      if (opts.mustExist) {
        throw new StorageError(
          `HANDOVER_STORAGE_DIR ${this.dir} does not exist, but the database records ${opts.heldCount} handover file(s) as held there: refusing to start. Restore the directory or point HANDOVER_STORAGE_DIR at it.`,
        );
      }
      try {
        fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      } catch (err) {
        throw new StorageError(`HANDOVER_STORAGE_DIR ${this.dir} does not exist and cannot be created (${(err as NodeJS.ErrnoException).code ?? String(err)}): refusing to start.`);
      }
    }
    let stat: fs.Stats;
    try {
      stat = fs.statSync(this.dir);
    } catch (err) {
      throw new StorageError(`HANDOVER_STORAGE_DIR ${this.dir} cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)}): refusing to start.`);
    }
    if (!stat.isDirectory()) throw new StorageError(`HANDOVER_STORAGE_DIR ${this.dir} is not a directory: refusing to start.`);
    const probe = path.join(this.dir, `.write-probe-${process.pid}-${crypto.randomBytes(4).toString('hex')}`);
    try {
      const fd = fs.openSync(probe, 'wx', 0o600);
      try {
        fs.writeSync(fd, 'probe');
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      fs.unlinkSync(probe);
    } catch (err) {
      throw new StorageError(`HANDOVER_STORAGE_DIR ${this.dir} is not writable (${(err as NodeJS.ErrnoException).code ?? String(err)}): refusing to start.`);
    }
  }

  /** Encrypts and writes the plaintext (durably: fsync) under a new storage name. */
  async seal(plain: Buffer): Promise<Sealed> {
    const storageName = `${crypto.randomUUID()}${STORED_SUFFIX}`;
    const fileKey = crypto.randomBytes(32);
    const iv = crypto.randomBytes(12);
    const c = crypto.createCipheriv('aes-256-gcm', fileKey, iv);
    c.setAAD(this.contentAad(storageName));
    const ct = Buffer.concat([c.update(plain), c.final()]);
    const out = Buffer.concat([MAGIC, iv, c.getAuthTag(), ct]);
    try {
      const fh = await fs.promises.open(this.pathOf(storageName), 'wx', 0o600);
      try {
        await fh.writeFile(out);
        await fh.sync();
      } finally {
        await fh.close();
      }
    } catch (err) {
      await fs.promises.rm(this.pathOf(storageName), { force: true }).catch(() => undefined);
      throw storageFailure(err);
    }
    const wrappedKey = this.cipher.encrypt(fileKey.toString('base64'), this.keyField(storageName));
    fileKey.fill(0);
    return { storageName, wrappedKey, keyId: this.cipher.currentKeyId };
  }

  /** Decrypts a stored file with its wrapped key. */
  async open(storageName: string, wrappedKey: string, keyId: string): Promise<Buffer> {
    const fileKey = Buffer.from(this.cipher.decrypt(wrappedKey, this.keyField(storageName), keyId), 'base64');
    let stored: Buffer;
    try {
      stored = await fs.promises.readFile(this.pathOf(storageName));
    } catch (err) {
      throw new AppError(503, 'storage_unavailable', `The stored handover file cannot be read (${(err as NodeJS.ErrnoException).code ?? 'I/O error'})`);
    }
    if (stored.length < HEADER || !stored.subarray(0, MAGIC.length).equals(MAGIC)) throw new Error(`handover file ${storageName}: not a sealed file`);
    const d = crypto.createDecipheriv('aes-256-gcm', fileKey, stored.subarray(MAGIC.length, MAGIC.length + 12));
    d.setAAD(this.contentAad(storageName));
    d.setAuthTag(stored.subarray(MAGIC.length + 12, HEADER));
    const plain = Buffer.concat([d.update(stored.subarray(HEADER)), d.final()]);
    fileKey.fill(0);
    return plain;
  }

  /** The same file key wrapped by the current data key (key rotation). */
  rewrap(storageName: string, wrappedKey: string, keyId: string): { wrappedKey: string; keyId: string } {
    const field = this.keyField(storageName);
    return { wrappedKey: this.cipher.encrypt(this.cipher.decrypt(wrappedKey, field, keyId), field), keyId: this.cipher.currentKeyId };
  }

  exists(storageName: string): boolean {
    return fs.existsSync(this.pathOf(storageName));
  }

  /** Step 1 of shredding: the ciphertext overwritten in place with random bytes, durably. False if already gone. */
  async overwrite(storageName: string): Promise<boolean> {
    let fh: fs.promises.FileHandle;
    try {
      fh = await fs.promises.open(this.pathOf(storageName), 'r+');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
    try {
      const { size } = await fh.stat();
      const chunk = 1 << 20;
      for (let pos = 0; pos < size; pos += chunk) {
        const n = Math.min(chunk, size - pos);
        await fh.write(crypto.randomBytes(n), 0, n, pos);
      }
      await fh.sync();
    } finally {
      await fh.close();
    }
    return true;
  }

  /** Step 2 of shredding: the (overwritten) file unlinked. */
  async unlink(storageName: string): Promise<void> {
    await fs.promises.rm(this.pathOf(storageName), { force: true });
  }

  /** Stored files (by name) and their modification times: for the start-up sweep of orphans. */
  listStored(): Array<{ storageName: string; mtime: Date }> {
    return fs
      .readdirSync(this.dir)
      .filter((n) => STORED_NAME.test(n))
      .map((n) => ({ storageName: n, mtime: fs.statSync(path.join(this.dir, n)).mtime }));
  }
}
