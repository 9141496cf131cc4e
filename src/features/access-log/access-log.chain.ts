import crypto from 'node:crypto';
import type { CustomerAccess } from '../../entities/CustomerAccess';

/** The first batch links to this, as the audit chain's first event does. */
export const GENESIS_HASH = '0'.repeat(64);

/** A read as queued and as hashed (the row without its id and batch). */
export type AccessRow = Pick<CustomerAccess, 'at' | 'userId' | 'customerId' | 'projectId' | 'kind' | 'revealed' | 'route' | 'requestId' | 'ref'>;

/** A row's canonical form: fixed order, ms timestamps, booleans as 0/1 (both drivers read them back the same). */
function canonical(r: AccessRow): unknown[] {
  return [r.at.getTime(), r.userId, r.customerId ?? null, r.projectId ?? null, r.kind, r.revealed ? 1 : 0, r.route, r.requestId ?? null, r.ref ?? null];
}

/**
 * R-AUDIT: a batch's hash, sha256 over the previous batch's hash, the batch's number and time
 * and its rows in the order written (by id). Changing, adding, removing or moving a read between
 * batches changes it; the next batch's prevHash then no longer matches.
 */
export function batchHash(prevHash: string, seq: number, at: Date, rows: readonly AccessRow[]): string {
  return crypto
    .createHash('sha256')
    .update(`${prevHash}\n${seq}\n${at.getTime()}\n`)
    .update(JSON.stringify(rows.map(canonical)))
    .digest('hex');
}

/** The audit action of a purge summary; the verify reads the last one to anchor the first kept batch. */
export const PURGE_ACTION = 'access_log.purged';
