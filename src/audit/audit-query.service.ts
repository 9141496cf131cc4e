import { Between, FindOptionsWhere, LessThanOrEqual, MoreThanOrEqual } from 'typeorm';
import { Database } from '../db/database';
import { AuditEvent } from '../entities/AuditEvent';

export interface AuditFilter {
  actorId?: number;
  actor?: string;
  action?: string;
  objectType?: string;
  objectId?: string;
  scope?: string;
  decision?: 'allow' | 'deny';
  from?: Date;
  to?: Date;
}

/** Read side of the audit trail: filtered, paginated listing and CSV export in chain order. */
export class AuditQueryService {
  constructor(private readonly db: Database) {}

  private where(f: AuditFilter): FindOptionsWhere<AuditEvent> {
    const where: FindOptionsWhere<AuditEvent> = {};
    if (f.actorId !== undefined) where.actorId = f.actorId;
    if (f.actor) where.actorName = f.actor;
    if (f.action) where.action = f.action;
    if (f.objectType) where.objectType = f.objectType;
    if (f.objectId) where.objectId = f.objectId;
    if (f.scope) where.scope = f.scope;
    if (f.decision) where.decision = f.decision;
    if (f.from && f.to) where.at = Between(f.from, f.to);
    else if (f.from) where.at = MoreThanOrEqual(f.from);
    else if (f.to) where.at = LessThanOrEqual(f.to);
    return where;
  }

  async list(f: AuditFilter, page: { limit: number; offset: number; order: 'asc' | 'desc' }) {
    const [items, total] = await this.db.manager.getRepository(AuditEvent).findAndCount({
      where: this.where(f),
      order: { seq: page.order === 'asc' ? 'ASC' : 'DESC' },
      take: page.limit,
      skip: page.offset,
    });
    return { items, total, limit: page.limit, offset: page.offset };
  }

  /** Streams matching events in batches, oldest first. */
  async *batches(f: AuditFilter, size = 1000): AsyncGenerator<AuditEvent[]> {
    let offset = 0;
    for (;;) {
      const rows = await this.db.manager.getRepository(AuditEvent).find({ where: this.where(f), order: { seq: 'ASC' }, take: size, skip: offset });
      if (!rows.length) return;
      yield rows;
      offset += rows.length;
    }
  }
}

const CSV_COLUMNS: (keyof AuditEvent)[] = [
  'seq', 'at', 'actorId', 'actorName', 'action', 'objectType', 'objectId', 'scope', 'decision', 'reason', 'requestId', 'ip', 'before', 'after', 'prevHash', 'hash',
];

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  let s = v instanceof Date ? v.toISOString() : typeof v === 'object' ? JSON.stringify(v) : String(v);
  // Spreadsheet formula injection: a cell starting with = + - @ is prefixed so it stays text.
  if (/^[=+\-@\t\r]/.test(s)) s = "'" + s;
  return /[",\n\r]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
}

export const csvHeader = (): string => CSV_COLUMNS.join(',') + '\n';
export const csvRow = (e: AuditEvent): string => CSV_COLUMNS.map((c) => csvCell(e[c])).join(',') + '\n';
