/* A long, valid audit chain for the audit benchmarks (bench/audit-verify.ts, bench/audit-list.ts). */
import { DataSource } from 'typeorm';
import { entryHash, GENESIS_HASH } from '../src/audit/chain';
import { insertRows, persisted } from '../src/db/raw';
import { AuditEvent } from '../src/entities/AuditEvent';
import { AuditHead } from '../src/entities/AuditHead';

const COLUMNS = ['seq', 'at', 'actorId', 'actorName', 'action', 'objectType', 'objectId', 'scope', 'decision', 'reason', 'requestId', 'ip', 'before', 'after', 'prevHash', 'hash'] as const;
const BATCH = 1000;

/** The month the seeded events fall in: one event a second from its first day (1,000,000 events end on 12 November). */
export const SEED_START = Date.parse('2026-11-01T00:00:00Z');

/**
 * `count` more entries after what the bootstrap wrote, each hashed onto the one before (a valid
 * chain). 500 actors, 200 project scopes, 5,000 customers; one event in 7 a reveal with a reason,
 * one in 50 a refusal (access.denied, decision deny): filters of every selectivity to measure.
 */
export async function seedAuditChain(ds: DataSource, count: number): Promise<void> {
  const m = ds.manager;
  const head = await m.getRepository(AuditHead).findOneByOrFail({ id: 1 });
  let prev = head.seq ? head.hash : GENESIS_HASH;
  let rows: unknown[][] = [];
  const flush = async () => {
    if (!rows.length) return;
    const batch = rows;
    rows = [];
    await ds.transaction(async (tm) => {
      for (let i = 0; i < batch.length; i += BATCH) await insertRows(tm, AuditEvent, COLUMNS, batch.slice(i, i + BATCH));
    });
  };
  for (let i = 1; i <= count; i++) {
    const denied = i % 50 === 0;
    const e = {
      seq: head.seq + i,
      at: new Date(SEED_START + i * 1000),
      actorId: 1 + (i % 500),
      actorName: `user${1 + (i % 500)}`,
      action: denied ? 'access.denied' : i % 7 === 0 ? 'customer.revealed' : 'customer.updated',
      objectType: 'customer',
      objectId: String(i % 5000),
      scope: `project:P${i % 200}`,
      decision: denied ? 'deny' : 'allow',
      reason: denied ? 'customer:update not granted' : i % 7 === 0 ? 'verify a complaint' : null,
      requestId: `r${i}`,
      ip: '10.0.0.1',
      before: null,
      after: null,
      prevHash: prev,
    };
    const hash = entryHash(e);
    rows.push([e.seq, persisted(m, AuditEvent, 'at', e.at), e.actorId, e.actorName, e.action, e.objectType, e.objectId, e.scope, e.decision, e.reason, e.requestId, e.ip, null, null, prev, hash]);
    prev = hash;
    if (rows.length === BATCH * 20) await flush();
  }
  await flush();
  await m.getRepository(AuditHead).update({ id: 1 }, { seq: head.seq + count, hash: prev });
}
