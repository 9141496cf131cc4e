import crypto from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);

/** The fields of an audit entry that the hash covers (all of them except the hash itself). */
export interface ChainedFields {
  seq: number;
  at: Date;
  actorId: number | null;
  actorName: string | null;
  action: string;
  objectType: string | null;
  objectId: string | null;
  scope: string | null;
  decision: string | null;
  reason: string | null;
  requestId: string | null;
  ip: string | null;
  before: unknown;
  after: unknown;
  prevHash: string;
}

/** JSON with sorted keys and no whitespace: the same entry always serialises to the same bytes. */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return '[' + value.map(canonicalJson).join(',') + ']';
  if (typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj)
      .filter((k) => obj[k] !== undefined)
      .sort();
    return '{' + keys.map((k) => JSON.stringify(k) + ':' + canonicalJson(obj[k])).join(',') + '}';
  }
  return JSON.stringify(value);
}

/** R-AUDIT: hash = SHA-256(previous hash + "\n" + canonical serialisation of the entry). */
export function entryHash(e: ChainedFields): string {
  const body = canonicalJson({
    seq: e.seq,
    at: e.at,
    actorId: e.actorId,
    actorName: e.actorName,
    action: e.action,
    objectType: e.objectType,
    objectId: e.objectId,
    scope: e.scope,
    decision: e.decision,
    reason: e.reason,
    requestId: e.requestId,
    ip: e.ip,
    before: e.before ?? null,
    after: e.after ?? null,
  });
  return crypto.createHash('sha256').update(e.prevHash).update('\n').update(body).digest('hex');
}
