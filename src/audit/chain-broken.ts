import type { Database } from '../db/database';
import type { NotificationOutbox } from '../features/notifications/notification.service';
import type { Logger } from '../logger';
import { COMPANY } from '../policy/scope';
import { SYSTEM_ACTOR, type AuditWriter } from './audit-writer';

/** A hash chain found broken by a nightly verify: the audit trail (at an entry) or the access log (at a batch). */
export interface BrokenChain {
  chain: 'audit' | 'access_log';
  /** What `at` counts: an audit entry's sequence number, or an access-log batch. */
  unit: 'seq' | 'batch';
  at: number;
  reason: string;
}

export interface ChainAlarmDeps {
  db: Database;
  audit: AuditWriter;
  outbox: NotificationOutbox;
  logger: Logger;
}

/**
 * R-AUDIT: what a nightly verify does with a break, whichever chain: logged, recorded in the trail
 * (`<chain>.chain_broken`) and told to the IT admins (the message kind of the same name), once per
 * break and day.
 */
export async function reportBrokenChain(deps: ChainAlarmDeps, b: BrokenChain, day: string): Promise<void> {
  const kind = `${b.chain}.chain_broken`;
  deps.logger.error(`${b.chain === 'audit' ? 'audit' : 'access log'} chain broken`, { [b.unit === 'seq' ? 'brokenAtSeq' : 'brokenAtBatch']: b.at, reason: b.reason });
  await deps.db.tx(async (m) => {
    await deps.audit.append(m, SYSTEM_ACTOR, { action: kind, objectType: b.chain, reason: `${b.unit} ${b.at}: ${b.reason}` });
    await deps.outbox.enqueueToRole(m, 'it_admin', COMPANY, {
      kind,
      params: { [b.unit]: b.at, day },
      objectType: b.chain,
      objectId: b.at,
      dedupeKey: `${kind}:${b.at}:${day}`,
    });
  });
}
