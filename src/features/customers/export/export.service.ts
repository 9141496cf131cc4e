import crypto from 'node:crypto';
import type { Response } from 'express';
import { Between, EntityManager, FindOptionsWhere, In, LessThan, MoreThan, MoreThanOrEqual } from 'typeorm';
import { AuditActor, AuditWriter } from '../../../audit/audit-writer';
import { Database } from '../../../db/database';
import { Customer } from '../../../entities/Customer';
import { CustomerExport } from '../../../entities/CustomerExport';
import { User } from '../../../entities/User';
import { CustomerService, PERSONAL_FIELDS, PersonalField } from '../customer.service';
import { ExportMeta, writeCsv, writeXlsx } from './export-writer';
import { redactPersonalDetails } from '../../../lib/redact';
import type { NotificationOutbox } from '../../notifications/notification.service';
import type { AccessReader } from '../../access-log/access-log.service';

export const BASE_COLUMNS = ['name', 'unit', 'nationality'] as const;

export interface ExportRequest {
  format: 'csv' | 'xlsx';
  purpose: string;
  /** Personal fields written in clear; the others are left out of the file. */
  fields: readonly PersonalField[];
  /** clear: as stored (full exports); redacted: without phones, IDs, emails, employers; none: left out. */
  notes: 'clear' | 'redacted' | 'none';
  releaseId?: number;
  recipient?: string;
}

type Acting = AuditActor & { id: number; username: string | null };

/** One recorded export, as GET /api/v1/exports lists it (never the file: it is not kept). */
export interface ExportListItem {
  id: string;
  project: string;
  format: 'csv' | 'xlsx';
  purpose: string;
  fields: string[];
  rowCount: number;
  releaseId: number | null;
  createdAt: Date;
  createdBy: { id: number; username: string | null; displayName: string | null };
}

export interface ExportFilter {
  /** Project code. */
  project?: string;
  /** Exports at or after `from`, before `to`. */
  from?: Date;
  to?: Date;
  limit: number;
  offset: number;
}

/**
 * Streams a project's customers as CSV or XLSX. The export is recorded (id, who, when, purpose,
 * row count, fields) and audited before the first byte leaves, in one transaction, which also
 * tells the exporter (customer_export.finished); the id is written into the file.
 */
export class ExportService {
  constructor(
    private readonly db: Database,
    private readonly audit: AuditWriter,
    private readonly customers: CustomerService,
    private readonly outbox: NotificationOutbox,
  ) {}

  /** Records the export (and audits it) inside the caller's transaction; returns its id. */
  async record(m: EntityManager, actor: Acting, projectId: number, projectCode: string, req: ExportRequest): Promise<CustomerExport> {
    const rowCount = await m.getRepository(Customer).countBy({ projectId });
    const exp = m.getRepository(CustomerExport).create({
      id: crypto.randomUUID(),
      projectId,
      format: req.format,
      purpose: req.purpose,
      fields: [...req.fields],
      rowCount,
      releaseId: req.releaseId ?? null,
      createdById: actor.id,
      createdAt: new Date(),
    });
    await m.getRepository(CustomerExport).insert(exp);
    await this.audit.append(m, actor, {
      action: 'customer.exported',
      objectType: 'customer_export',
      objectId: exp.id,
      scope: `project:${projectCode}`,
      reason: req.purpose,
      after: { exportId: exp.id, rowCount, format: req.format, fields: req.fields, releaseId: req.releaseId ?? null },
    });
    // To who exported: the export's id and counts (its purpose is free text and stays on the record).
    await this.outbox.enqueue(m, {
      recipientId: actor.id,
      kind: 'customer_export.finished',
      params: { exportId: exp.id, project: projectCode, format: req.format, rows: rowCount },
      objectType: 'customer_export',
      objectId: exp.id,
      dedupeKey: `customer_export.finished:${exp.id}`,
      scope: `project:${projectCode}`,
    });
    return exp;
  }

  /**
   * The recorded exports, newest first (issue 12: the IT admin reviews who exported what, when
   * and why). A plain read of the records: no personal value is in them, nothing is audited.
   */
  async list(f: ExportFilter): Promise<{ items: ExportListItem[]; total: number }> {
    const where: FindOptionsWhere<CustomerExport> = {};
    if (f.project) where.projectId = (await this.customers.projectByCode(f.project)).id;
    if (f.from && f.to) where.createdAt = Between(f.from, new Date(f.to.getTime() - 1));
    else if (f.from) where.createdAt = MoreThanOrEqual(f.from);
    else if (f.to) where.createdAt = LessThan(f.to);
    const [rows, total] = await this.db.manager.getRepository(CustomerExport).findAndCount({ where, order: { createdAt: 'DESC', id: 'ASC' }, take: f.limit, skip: f.offset });
    const ids = [...new Set(rows.map((r) => r.createdById))];
    const users = ids.length ? await this.db.manager.getRepository(User).find({ where: { id: In(ids) }, select: { id: true, username: true, displayName: true } }) : [];
    const byId = new Map(users.map((u) => [u.id, u]));
    return {
      items: rows.map((r) => ({
        id: r.id,
        project: this.customers.projectCodeOf(r),
        format: r.format,
        purpose: r.purpose,
        fields: r.fields ?? [],
        rowCount: r.rowCount,
        releaseId: r.releaseId,
        createdAt: r.createdAt,
        createdBy: { id: r.createdById, username: byId.get(r.createdById)?.username ?? null, displayName: byId.get(r.createdById)?.displayName ?? null },
      })),
      total,
    };
  }

  async exportProject(actor: Acting, projectCode: string, req: ExportRequest, res: Response, reader?: AccessReader): Promise<void> {
    const project = await this.customers.projectByCode(projectCode);
    const exp = await this.db.tx((m) => this.record(m, actor, project.id, projectCode, req));
    await this.stream(exp, projectCode, actor.username ?? String(actor.id), req, res, reader);
  }

  /** Writes the file of a recorded export to the response. */
  async stream(exp: CustomerExport, projectCode: string, exporter: string, req: ExportRequest, res: Response, reader?: AccessReader): Promise<void> {
    const columns = [...BASE_COLUMNS, ...PERSONAL_FIELDS.filter((f) => req.fields.includes(f)), ...(req.notes !== 'none' ? ['notes'] : [])];
    const meta: ExportMeta = { id: exp.id, exporter, at: exp.createdAt, project: projectCode, purpose: req.purpose, recipient: req.recipient };
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Export-Id', exp.id);
    res.setHeader('Content-Disposition', `attachment; filename="custodian-export-${exp.id}.${req.format}"`);
    res.setHeader(
      'Content-Type',
      req.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    // R-SECRET: every row written is a read of that customer, revealed when a personal field is in clear; the export id links them.
    const log = (ids: number[]) => this.customers.accessLog.record(reader, 'export', ids.map((customerId) => ({ customerId, projectId: exp.projectId })), { revealed: req.fields.length > 0, ref: exp.id });
    const batches = this.rows(exp.projectId, columns, req.notes === 'redacted', log);
    if (req.format === 'csv') await writeCsv(res, meta, columns, batches);
    else await writeXlsx(res, meta, columns, batches);
  }

  private async *rows(projectId: number, columns: string[], redactNotes: boolean, log: (ids: number[]) => void): AsyncGenerator<string[][]> {
    let lastId = 0;
    for (;;) {
      const batch = await this.db.manager
        .getRepository(Customer)
        .find({ where: { projectId, id: MoreThan(lastId) }, order: { id: 'ASC' }, take: 500 });
      if (!batch.length) return;
      lastId = batch[batch.length - 1].id;
      log(batch.map((c) => c.id));
      yield batch.map((c) => {
        const p = this.customers.decryptPersonal(c);
        const values: Record<string, string> = {
          name: c.name,
          unit: c.unit,
          nationality: c.nationality,
          phones: p.phones.join('; '),
          idNumber: p.idNumber ?? '',
          employer: p.employer ?? '',
          email: p.email ?? '',
          emergencyContact: p.emergencyContact ?? '',
          notes: c.notes === null ? '' : redactNotes ? redactPersonalDetails(c.notes).text : c.notes,
        };
        return columns.map((col) => values[col]);
      });
    }
  }
}
