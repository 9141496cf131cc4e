import crypto from 'node:crypto';
import { canonicalJson, GENESIS_HASH } from '../chain';

/**
 * One audit digest (R-AUDIT, issue 14 §1), as written to the sinks outside the database:
 *
 *   { format, payload, signature, eventHashes }
 *
 * `payload` is signed (Ed25519 over its canonical JSON). It names the range of sequence numbers
 * it covers, the chain's hash at its last entry, the previous digest's hash (the digests form
 * their own chain), the time and the key. `eventHashes` holds the first 16 hex digits of every
 * covered entry's hash in order, so a verify can name the first entry that differs; the payload
 * binds it by its SHA-256, and a syslog copy may leave it out.
 */
export const DIGEST_FORMAT = 'custodian-audit-digest/1';
export const GENESIS_DIGEST_HASH = GENESIS_HASH;
/** Hex digits of each entry hash kept in eventHashes. */
export const EVENT_HASH_PREFIX = 16;

export type DigestReason = 'interval' | 'manual' | 'shutdown';

export interface DigestPayload {
  number: number;
  /** First sequence number covered; toSeq + 1 === fromSeq when no event was written since the previous digest. */
  fromSeq: number;
  toSeq: number;
  /** The chain's hash at toSeq (the genesis hash while the chain is empty). */
  headHash: string;
  prevDigestHash: string;
  createdAt: string;
  keyId: string;
  reason: DigestReason;
  /** SHA-256 (hex) of the eventHashes string. */
  eventHashesSha256: string;
  /**
   * The customer access log's batch chain (issue 14 §2) at the same moment: its last batch and
   * that batch's hash, so the log of who viewed which customer is signed for too. Absent in a
   * digest made before the access log existed.
   */
  accessLog?: { toBatch: number; headHash: string };
}

export interface DigestFile {
  format: typeof DIGEST_FORMAT;
  payload: DigestPayload;
  /** Base64 Ed25519 signature over canonicalJson(payload). */
  signature: string;
  /** Concatenated EVENT_HASH_PREFIX-digit prefixes of the covered entries' hashes, in sequence order. */
  eventHashes?: string;
}

export function digestHash(payload: DigestPayload): string {
  return crypto.createHash('sha256').update(canonicalJson(payload)).digest('hex');
}

export function sha256Hex(text: string): string {
  return crypto.createHash('sha256').update(text).digest('hex');
}

export function signedBytes(payload: DigestPayload): Buffer {
  return Buffer.from(canonicalJson(payload), 'utf8');
}

/** Digest files sort by name in number order; a name never changes, a file is never rewritten. */
export function digestFileName(n: number): string {
  return `audit-digest-${String(n).padStart(10, '0')}.json`;
}

export const DIGEST_FILE_RE = /^audit-digest-(\d{10})\.json$/;

/** The one-line form sent to syslog: everything but the entry hashes (a syslog line stays small). */
export function syslogBody(file: DigestFile): string {
  return canonicalJson({ format: file.format, payload: file.payload, signature: file.signature });
}

export class DigestFormatError extends Error {}

const HEX64 = /^[0-9a-f]{64}$/;

/** Parses a digest file's text; throws DigestFormatError naming what is wrong. Does not check the signature. */
export function parseDigest(text: string, source: string): DigestFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new DigestFormatError(`${source}: not JSON`);
  }
  const f = raw as Partial<DigestFile>;
  const p = (f?.payload ?? {}) as Partial<DigestPayload>;
  const ok =
    f?.format === DIGEST_FORMAT &&
    typeof f.signature === 'string' &&
    Number.isInteger(p.number) &&
    Number.isInteger(p.fromSeq) &&
    Number.isInteger(p.toSeq) &&
    typeof p.headHash === 'string' &&
    HEX64.test(p.headHash) &&
    typeof p.prevDigestHash === 'string' &&
    HEX64.test(p.prevDigestHash) &&
    typeof p.createdAt === 'string' &&
    typeof p.keyId === 'string' &&
    typeof p.eventHashesSha256 === 'string' &&
    (f.eventHashes === undefined || typeof f.eventHashes === 'string') &&
    (p.accessLog === undefined || (Number.isInteger(p.accessLog?.toBatch) && typeof p.accessLog?.headHash === 'string' && HEX64.test(p.accessLog.headHash)));
  if (!ok) throw new DigestFormatError(`${source}: not a ${DIGEST_FORMAT} file`);
  return f as DigestFile;
}

/** The signature checks against the named key, and the entry hashes (when present) are the ones signed for. */
export function digestSignatureValid(file: DigestFile, key: crypto.KeyObject): boolean {
  let sigOk = false;
  try {
    sigOk = crypto.verify(null, signedBytes(file.payload), key, Buffer.from(file.signature, 'base64'));
  } catch {
    sigOk = false;
  }
  if (!sigOk) return false;
  if (file.eventHashes === undefined) return true;
  const count = file.payload.toSeq - file.payload.fromSeq + 1;
  return file.eventHashes.length === count * EVENT_HASH_PREFIX && sha256Hex(file.eventHashes) === file.payload.eventHashesSha256;
}
