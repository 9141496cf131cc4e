import type { Response } from 'express';
import { EntityManager } from 'typeorm';
import { AuditActor, AuditWriter } from '../../audit/audit-writer';
import { Database } from '../../db/database';
import { ExternalRelease, ReleaseStatus } from '../../entities/ExternalRelease';
import { ConflictError, ForbiddenError, NotFoundError } from '../../errors';
import { formatDateTime } from '../../lib/documents';
import type { Authorizer } from '../../policy/authorizer';
import type { NotificationOutbox } from '../notifications/notification.service';
import type { PersonalField } from '../customers/customer.service';
import { CustomerService } from '../customers/customer.service';
import { ExportService } from '../customers/export/export.service';
import type { AccessReader } from '../access-log/access-log.service';

export const DOWNLOAD_WINDOW_MS = 24 * 60 * 60 * 1000;

type Acting = AuditActor & { id: number; username: string | null };

export interface ReleaseView {
  id: number;
  project: string;
  recipient: string;
  purpose: string;
  fields: string[];
  format: 'csv' | 'xlsx';
  status: ReleaseStatus | 'expired';
  requestedById: number;
  decidedById: number | null;
  decidedAt: Date | null;
  decisionNote: string | null;
  availableUntil: Date | null;
  downloadedAt: Date | null;
  exportId: string | null;
  createdAt: Date;
}

/**
 * R-EXTERNAL (§3.5): customer information leaves the company only through a release request
 * that the general manager approved. Decisions and the download are conditional updates on
 * the status, so two approvers (or two downloads) acting at once end with exactly one winner.
 */
export class ReleaseService {
  constructor(
    private readonly db: Database,
    private readonly audit: AuditWriter,
    private readonly customers: CustomerService,
    private readonly exports: ExportService,
    private readonly authz: Authorizer,
    private readonly outbox: NotificationOutbox,
    private readonly timezone: string,
  ) {}

  view(r: ExternalRelease, now = new Date()): ReleaseView {
    const expired = r.status === 'approved' && r.availableUntil !== null && r.availableUntil <= now;
    return {
      id: r.id,
      project: this.customers.projectCodeOf(r),
      recipient: r.recipient,
      purpose: r.purpose,
      fields: r.fields,
      format: r.format,
      status: expired ? 'expired' : r.status,
      requestedById: r.requestedById,
      decidedById: r.decidedById,
      decidedAt: r.decidedAt,
      decisionNote: r.decisionNote,
      availableUntil: r.availableUntil,
      downloadedAt: r.downloadedAt,
      exportId: r.exportId,
      createdAt: r.createdAt,
    };
  }

  async load(id: number): Promise<ExternalRelease> {
    const r = await this.db.manager.getRepository(ExternalRelease).findOneBy({ id });
    if (!r) throw new NotFoundError('External release', id);
    return r;
  }

  /** Inside a transaction, pass its `m` (issue 11: no second connection while it holds locks). */
  scopeOf(r: ExternalRelease, m: EntityManager = this.db.manager): Promise<string> {
    return this.customers.scopeOf(r, m);
  }

  async list(filter: { status?: ReleaseStatus; limit: number; offset: number }): Promise<{ items: ReleaseView[]; total: number }> {
    const [rows, total] = await this.db.manager.getRepository(ExternalRelease).findAndCount({
      where: filter.status ? { status: filter.status } : {},
      order: { id: 'DESC' },
      take: filter.limit,
      skip: filter.offset,
    });
    return { items: rows.map((r) => this.view(r)), total };
  }

  async request(
    actor: Acting,
    input: { project: string; recipient: string; purpose: string; fields: PersonalField[]; format: 'csv' | 'xlsx' },
  ): Promise<ReleaseView> {
    const project = await this.customers.projectByCode(input.project);
    const r = await this.db.tx(async (m) => {
      const r = m.getRepository(ExternalRelease).create({
        projectId: project.id,
        recipient: input.recipient,
        purpose: input.purpose,
        fields: [...new Set(input.fields)],
        format: input.format,
        status: 'pending',
        requestedById: actor.id,
        createdAt: new Date(),
      });
      await m.getRepository(ExternalRelease).insert(r);
      await this.audit.append(m, actor, {
        action: 'release.requested',
        objectType: 'external_release',
        objectId: r.id,
        scope: `project:${input.project}`,
        after: { recipient: r.recipient, purpose: r.purpose, fields: r.fields, format: r.format },
      });
      // To whoever may approve it (the general manager, R-EXTERNAL), never the requester; the
      // recipient and purpose are free text and stay on the request.
      const scope = `project:${input.project}`;
      const approvers = this.authz.holders(scope, { object: 'external_release', action: 'approve' }).filter((id) => id !== actor.id);
      await this.outbox.enqueueToUsers(m, approvers, {
        kind: 'release.pending',
        params: { releaseId: r.id, project: input.project, requester: actor.username ?? `user ${actor.id}`, format: r.format, fields: r.fields.length },
        objectType: 'external_release',
        objectId: r.id,
        dedupeKey: `release.pending:${r.id}`,
        scope,
      });
      return r;
    });
    return this.view(r);
  }

  /** The general manager's decision: pending → approved (24 h download window) or rejected. */
  async decide(actor: Acting, r: ExternalRelease, approve: boolean, note: string | null): Promise<ReleaseView> {
    if (r.requestedById === actor.id) throw new ForbiddenError('own_request', 'Nobody decides on their own release request');
    const now = new Date();
    const status: ReleaseStatus = approve ? 'approved' : 'rejected';
    const availableUntil = approve ? new Date(now.getTime() + DOWNLOAD_WINDOW_MS) : null;
    await this.db.tx(async (m) => {
      const result = await m
        .getRepository(ExternalRelease)
        .update(
          { id: r.id, status: 'pending' },
          { status, decidedById: actor.id, decidedAt: now, decisionNote: note, availableUntil },
        );
      if (!result.affected) throw new ConflictError('not_pending', `Release ${r.id} has already been decided or cancelled`);
      const scope = await this.scopeOf(r, m);
      await this.audit.append(m, actor, {
        action: approve ? 'release.approved' : 'release.rejected',
        objectType: 'external_release',
        objectId: r.id,
        scope,
        reason: note ?? undefined,
        before: { status: 'pending' },
        after: { status },
      });
      // Decided: no other approver is still asked to decide it.
      await this.outbox.settle(m, 'external_release', r.id, ['release.pending']);
      await this.outbox.enqueue(m, {
        recipientId: r.requestedById,
        kind: 'release.decided',
        params: {
          releaseId: r.id,
          project: scope.slice('project:'.length),
          decision: status,
          decidedBy: actor.username ?? `user ${actor.id}`,
          availableUntil: availableUntil ? `${formatDateTime(availableUntil, this.timezone)} (${this.timezone})` : '',
        },
        objectType: 'external_release',
        objectId: r.id,
        dedupeKey: `release.decided:${r.id}`,
        scope,
      });
    });
    return this.view(await this.load(r.id));
  }

  /** Only the requester, only once, only within 24 hours of approval. */
  async download(actor: Acting, r: ExternalRelease, res: Response, reader?: AccessReader): Promise<void> {
    if (r.requestedById !== actor.id) throw new ForbiddenError('not_requester', 'Only the requester can download an approved release');
    const now = new Date();
    if (r.status === 'approved' && r.availableUntil && r.availableUntil <= now) {
      throw new ConflictError('release_expired', `The download window of release ${r.id} closed at ${r.availableUntil.toISOString()}`);
    }
    const scope = await this.scopeOf(r);
    const projectCode = scope.slice('project:'.length);
    const req = { format: r.format, purpose: `external release ${r.id} to ${r.recipient}: ${r.purpose}`, fields: r.fields as PersonalField[], notes: 'none' as const, releaseId: r.id, recipient: r.recipient };
    const exp = await this.db.tx(async (m) => {
      const result = await m.getRepository(ExternalRelease).update({ id: r.id, status: 'approved' }, { status: 'downloaded', downloadedAt: now });
      if (!result.affected) throw new ConflictError('not_downloadable', `Release ${r.id} is ${r.status === 'approved' ? 'already downloaded' : r.status}`);
      const exp = await this.exports.record(m, actor, r.projectId, projectCode, req);
      await m.getRepository(ExternalRelease).update({ id: r.id }, { exportId: exp.id });
      await this.audit.append(m, actor, {
        action: 'release.downloaded',
        objectType: 'external_release',
        objectId: r.id,
        scope,
        after: { exportId: exp.id, rowCount: exp.rowCount, recipient: r.recipient },
      });
      return exp;
    });
    // R-SECRET: the rows released are reads of the requester, logged with the export id.
    await this.exports.stream(exp, projectCode, actor.username ?? String(actor.id), req, res, reader);
  }
}
