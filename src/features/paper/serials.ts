import { EntityManager } from 'typeorm';
import { isUniqueViolation } from '../../api/middleware/error-handler';
import { Database, forUpdate } from '../../db/database';
import { SerialCounter } from '../../entities/SerialCounter';
import { wallClock } from '../../lib/time';

/** "CC-2611" for an approval in November 2026 (local month in the company's timezone). */
export function copySerialPrefix(at: Date, tz: string): string {
  const z = wallClock(at, tz);
  return `CC-${String(z.y % 100).padStart(2, '0')}${String(z.m).padStart(2, '0')}`;
}

export const SERIAL_PATTERN = /^CC-\d{4}-\d{5,}$/;

/**
 * Serial numbers CC-YYMM-NNNNN (R-NO-PAPER): a per-month counter row. The row is created in its
 * own short transaction (a duplicate from a concurrent creator is fine), then locked FOR UPDATE
 * inside the approval's transaction, so concurrent approvals on MySQL take numbers one after
 * the other; the unique index on controlled_copy.serial is the last guard.
 */
export class SerialAllocator {
  constructor(private readonly db: Database) {}

  /** Creates the counter row for a prefix if missing (outside the caller's transaction). */
  async ensure(prefix: string): Promise<void> {
    const repo = this.db.manager.getRepository(SerialCounter);
    if (await repo.existsBy({ prefix })) return;
    try {
      await this.db.tx((m) => m.getRepository(SerialCounter).insert({ prefix, lastValue: 0 }));
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
    }
  }

  /** `count` consecutive serials under the prefix, inside the caller's transaction. */
  async take(m: EntityManager, prefix: string, count: number): Promise<string[]> {
    const repo = m.getRepository(SerialCounter);
    let row = await repo.findOne({ where: { prefix }, ...forUpdate(this.db.mysql) });
    if (!row) {
      // Only when the month turned between ensure() and here: create it in this transaction.
      await repo.insert({ prefix, lastValue: 0 });
      row = await repo.findOneOrFail({ where: { prefix }, ...forUpdate(this.db.mysql) });
    }
    const first = row.lastValue + 1;
    await repo.update({ prefix }, { lastValue: row.lastValue + count });
    return Array.from({ length: count }, (_, i) => `${prefix}-${String(first + i).padStart(5, '0')}`);
  }
}
