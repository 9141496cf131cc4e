import { EntityManager } from 'typeorm';
import { isUniqueViolation } from '../../api/middleware/error-handler';
import { Database, forUpdate } from '../../db/database';
import { CaseNumberCounter } from '../../entities/CaseNumberCounter';
import { wallClock } from '../../lib/time';

/**
 * R-CASE-NO (第八條): 年度(××)月份(××)流水編號 — a case number is the year (2 digits), the month
 * (2 digits) and a serial that restarts each month: 2611-007. The month is the acceptance's, in
 * the configured timezone. The serial has at least three digits and grows past 999
 * (2611-999, then 2611-1000).
 */
export function caseMonth(at: Date, tz: string): string {
  const z = wallClock(at, tz);
  return `${String(z.y % 100).padStart(2, '0')}${String(z.m).padStart(2, '0')}`;
}

export function formatCaseNo(month: string, serial: number): string {
  return `${month}-${String(serial).padStart(3, '0')}`;
}

export const CASE_NO_PATTERN = /^\d{4}-\d{3,}$/;

/**
 * Allocation of case numbers (R-CASE-NO). Unique and gap-free on several instances: the month's
 * counter row is locked FOR UPDATE inside the registration's own transaction, so concurrent
 * registrations take numbers one after the other, and a registration that fails after taking
 * its number rolls the counter back with it (no gap). The unique index on complaint_case.caseNo
 * is the last guard. (The paper ledger's SerialAllocator does the same for CC-YYMM-NNNNN but with a
 * fixed width and a table of another feature: case numbers keep their own counter.)
 */
export class CaseNumbering {
  constructor(private readonly db: Database) {}

  /**
   * Creates the month's counter row if it is missing, in its own short transaction, before the
   * registration's transaction locks it (two first registrations of a month would otherwise both
   * try to insert it; the loser's unique violation is harmless here).
   */
  async ensureMonth(month: string): Promise<void> {
    const repo = this.db.manager.getRepository(CaseNumberCounter);
    if (await repo.existsBy({ month })) return;
    try {
      await this.db.tx((m) => m.getRepository(CaseNumberCounter).insert({ month, lastSerial: 0 }));
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
    }
  }

  /** The next number of the month, inside the caller's transaction (locks the counter row until it ends). */
  async next(m: EntityManager, month: string): Promise<string> {
    const repo = m.getRepository(CaseNumberCounter);
    let row = await repo.findOne({ where: { month }, ...forUpdate(this.db.mysql) });
    if (!row) {
      // ensureMonth() was not called (or the row was removed): create it here.
      await repo.insert({ month, lastSerial: 0 });
      row = await repo.findOneOrFail({ where: { month }, ...forUpdate(this.db.mysql) });
    }
    const serial = row.lastSerial + 1;
    await repo.update({ month }, { lastSerial: serial });
    return formatCaseNo(month, serial);
  }
}
