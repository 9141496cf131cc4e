import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { digestFileName, syslogBody, type DigestFile } from './digest-format';

/** Somewhere outside the database that a digest is written to (R-AUDIT, issue 14 §1). */
export interface DigestSink {
  readonly name: string;
  write(file: DigestFile): Promise<void>;
}

export class DigestSinkError extends Error {}

/**
 * Writes `text` at `file` unless a file is there already. Written under a private name and linked
 * into place (link fails if the name exists), so a reader never sees half a file and nothing is
 * ever overwritten. The same text already there is fine (a retried write); other text is refused.
 */
function writeOnce(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  fs.writeFileSync(tmp, text, { mode: 0o444 });
  try {
    fs.linkSync(tmp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    if (fs.readFileSync(file, 'utf8') !== text) throw new DigestSinkError(`${file} exists with other content; a digest file is never rewritten`);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/** One file per digest in AUDIT_DIGEST_DIR, and the public keys under keys/ (current and retired). */
export class FileDigestSink implements DigestSink {
  readonly name = 'file';
  constructor(readonly dir: string) {}

  async write(file: DigestFile): Promise<void> {
    writeOnce(path.join(this.dir, digestFileName(file.payload.number)), JSON.stringify(file, null, 1) + '\n');
  }

  /** Keeps the public key beside the digests it verifies; a rotated-out key stays (it verifies the older digests). */
  publishKey(keyId: string, publicKeyPem: string): void {
    writeOnce(path.join(this.dir, 'keys', `${keyId}.pem`), publicKeyPem);
  }

  exists(n: number): boolean {
    return fs.existsSync(path.join(this.dir, digestFileName(n)));
  }
}

/** RFC 5424 severity notice (5) in facility "log audit" (13). */
const PRI = 13 * 8 + 5;

/** The RFC 5424 line for a digest: structured data empty, the message the signed JSON. */
export function syslogLine(file: DigestFile, at = new Date()): string {
  const host = (os.hostname() || '-').replace(/[^\x21-\x7e]/g, '').slice(0, 255) || '-';
  return `<${PRI}>1 ${at.toISOString()} ${host} custodian ${process.pid} audit-digest - ${syslogBody(file)}`;
}

/**
 * Sends each digest to a syslog collector over TCP (RFC 5424 messages, RFC 6587 octet-counted
 * frames), for shipping to another host. One connection per digest: digests are hourly.
 */
export class SyslogDigestSink implements DigestSink {
  readonly name = 'syslog';
  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly timeoutMs = 5000,
  ) {}

  write(file: DigestFile): Promise<void> {
    const line = syslogLine(file);
    const frame = `${Buffer.byteLength(line)} ${line}`;
    return new Promise<void>((resolve, reject) => {
      const socket = net.connect({ host: this.host, port: this.port });
      const fail = (err: Error) => {
        socket.destroy();
        reject(new DigestSinkError(`syslog ${this.host}:${this.port}: ${err.message}`));
      };
      socket.setTimeout(this.timeoutMs, () => fail(new Error('timed out')));
      socket.once('error', fail);
      socket.once('connect', () => socket.end(frame));
      socket.once('close', (hadError) => {
        if (!hadError) resolve();
      });
    });
  }
}
