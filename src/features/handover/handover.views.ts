import { EntityManager, In, IsNull, MoreThan, Not } from 'typeorm';
import type { Database } from '../../db/database';
import { HandoverDelegation, DelegationEndReason } from '../../entities/HandoverDelegation';
import { HandoverFile, HandoverFormat, HandoverStatus } from '../../entities/HandoverFile';
import { Project } from '../../entities/Project';
import { NotFoundError } from '../../errors';
import type { Authorizer } from '../../policy/authorizer';
import type { PolicyService } from '../../policy/policy-service';
import type { Holding } from '../../policy/holdings-registry';
import type { ConfirmationView, TwoPersonConfirmations } from '../confirmations/confirmation.service';
import type { ViewRow } from './file-viewer';
import { Acting, ensureNotDestroyed, Refusals, serialOf } from './handover-access';

/** What anyone allowed to read a file sees (the IT admin and auditors included): never the content. */
export interface HandoverFileMeta {
  id: number;
  serial: string;
  project: string;
  fileName: string;
  format: HandoverFormat;
  byteSize: number;
  sha256: string;
  status: HandoverStatus;
  holderId: number;
  uploadedById: number;
  uploadedAt: Date;
  entryReportedAt: Date | null;
  confirmedAt: Date | null;
  destructionDeadline: Date | null;
  destructionId: number | null;
  destroyedAt: Date | null;
  /** R-HANDOVER-DESTROY: a destruction recorded and awaiting its witness (pending), or lapsed (expired); the file is not destroyed. */
  pendingDestruction: { confirmationId: number; dueAt: Date; state: 'pending' | 'expired' } | null;
}

export type DelegationState = 'active' | 'expired' | DelegationEndReason;

export interface DelegationView {
  id: number;
  fileId: number;
  clerkId: number;
  grantedById: number;
  grantedAt: Date;
  expiresAt: Date;
  endedAt: Date | null;
  endedById: number | null;
  endReason: DelegationEndReason | null;
  state: DelegationState;
}

/** What the holding lead sees: the metadata, the clerk's entry report, the confirmation, the delegations and a recorded destruction awaiting its witness. */
export interface HandoverFileView extends HandoverFileMeta {
  entry: { reportedById: number; reportedAt: Date; records: number; note: string | null } | null;
  confirmedById: number | null;
  delegations: DelegationView[];
  destructionRequest: ConfirmationView | null;
}

/** A view of the content: rows (spreadsheet, CSV) as JSON, or a stamped PDF. */
export type ContentView =
  | { kind: 'pdf'; pdf: Buffer; fileName: string }
  | {
      kind: 'rows';
      body: {
        id: number;
        serial: string;
        fileName: string;
        format: 'xlsx' | 'csv';
        sheet: number | null;
        sheetCount: number | null;
        page: number;
        pageSize: number;
        totalRows: number;
        rows: ViewRow[];
        stamp: { viewer: string; viewedAt: Date; notice: 'view only' };
      };
    };

/**
 * The read side of handover files (R-HANDOVER-HOLD): loading, the views each reader gets, and
 * who sees what (the holder everything but the content; a reader who cannot hold files, such as
 * the IT admin or an auditor, metadata only). HandoverService delegates to this.
 */
export class HandoverViews {
  constructor(
    private readonly db: Database,
    private readonly authz: Authorizer,
    private readonly policy: PolicyService,
    private readonly refusals: Refusals,
    private readonly confirmations: TwoPersonConfirmations,
  ) {}

  async load(id: number): Promise<HandoverFile> {
    const f = await this.db.manager.getRepository(HandoverFile).findOneBy({ id });
    if (!f) throw new NotFoundError('Handover file', id);
    return f;
  }

  scopeOf(f: Pick<HandoverFile, 'projectId'>): Promise<string> {
    return this.policy.projectScope(f.projectId);
  }

  projectCode(projectId: number): string {
    return this.policy.projectCode(projectId) ?? String(projectId);
  }

  meta(f: HandoverFile): HandoverFileMeta {
    return {
      id: f.id,
      serial: serialOf(f.id),
      project: this.projectCode(f.projectId),
      fileName: f.fileName,
      format: f.format,
      byteSize: f.byteSize,
      sha256: f.sha256,
      status: f.status,
      holderId: f.holderId,
      uploadedById: f.uploadedById,
      uploadedAt: f.uploadedAt,
      entryReportedAt: f.entryReportedAt,
      confirmedAt: f.confirmedAt,
      destructionDeadline: f.destructionDeadline,
      destructionId: f.destructionId,
      destroyedAt: f.destroyedAt,
      pendingDestruction:
        f.confirmationId !== null && f.confirmationDueAt !== null
          ? { confirmationId: f.confirmationId, dueAt: f.confirmationDueAt, state: f.confirmationDueAt.getTime() < Date.now() ? 'expired' : 'pending' }
          : null,
    };
  }

  delegationView(d: HandoverDelegation, now = new Date()): DelegationView {
    return {
      id: d.id,
      fileId: d.fileId,
      clerkId: d.clerkId,
      grantedById: d.grantedById,
      grantedAt: d.grantedAt,
      expiresAt: d.expiresAt,
      endedAt: d.endedAt,
      endedById: d.endedById,
      endReason: d.endReason,
      state: d.endReason ?? (d.expiresAt <= now ? 'expired' : 'active'),
    };
  }

  async fullView(f: HandoverFile): Promise<HandoverFileView> {
    const delegations = await this.db.manager.getRepository(HandoverDelegation).find({ where: { fileId: f.id }, order: { id: 'ASC' } });
    const request = f.confirmationId !== null ? await this.confirmations.load(f.confirmationId) : null;
    return {
      ...this.meta(f),
      entry:
        f.entryReportedById !== null && f.entryReportedAt
          ? { reportedById: f.entryReportedById, reportedAt: f.entryReportedAt, records: f.entryRecords ?? 0, note: f.entryNote }
          : null,
      confirmedById: f.confirmedById,
      delegations: delegations.map((d) => this.delegationView(d)),
      destructionRequest: request ? await this.confirmations.view(request) : null,
    };
  }

  /** Whether the actor may hold handover files in the scope (a project lead there). */
  canHold(actorId: number, scope: string): boolean {
    return this.authz.decide(actorId, scope, { object: 'handover_file', action: 'hold' }).allowed;
  }

  /** Only the holder acts on the file as its custodian (R-HANDOVER-HOLD): anyone else is refused and recorded. */
  async requireHolder(actor: Acting, f: HandoverFile, scope: string, action: string): Promise<void> {
    if (f.holderId !== actor.id) await this.refusals.refuse(actor, f, scope, action, 'not_holder', `Only the project lead holding ${serialOf(f.id)} may do this`);
  }
  async projectByCode(code: string): Promise<Project> {
    const p = await this.db.manager.getRepository(Project).findOneBy({ code });
    if (!p) throw new NotFoundError('Project', code);
    return p;
  }

  /**
   * The files of a project. A project lead sees the files they hold (full view); a reader who
   * cannot hold files there (the IT admin, an auditor: decided by handover_file:hold, not by the
   * role's name) sees that every file exists, as metadata only.
   */
  async list(actor: Acting, projectCode: string, f: { status?: HandoverStatus; limit: number; offset: number }): Promise<{ items: Array<HandoverFileMeta | HandoverFileView>; total: number }> {
    const project = await this.projectByCode(projectCode);
    const holderView = this.canHold(actor.id, `project:${project.code}`);
    const where = {
      projectId: project.id,
      status: f.status ?? Not('destroyed' as HandoverStatus),
      ...(holderView ? { holderId: actor.id } : {}),
    };
    const [rows, total] = await this.db.manager.getRepository(HandoverFile).findAndCount({ where, order: { id: 'ASC' }, take: f.limit, skip: f.offset });
    if (!holderView) return { items: rows.map((r) => this.meta(r)), total };
    return { items: await Promise.all(rows.map((r) => this.fullView(r))), total };
  }

  /** One file: the holder sees everything but the content; another lead of the project is refused; a reader who cannot hold files (IT admin, auditor) sees metadata. */
  async get(actor: Acting, f: HandoverFile): Promise<HandoverFileMeta | HandoverFileView> {
    ensureNotDestroyed(f);
    if (f.holderId === actor.id) return this.fullView(f);
    const scope = await this.scopeOf(f);
    if (this.canHold(actor.id, scope)) await this.requireHolder(actor, f, scope, 'read');
    return this.meta(f);
  }

  async delegations(actor: Acting, f: HandoverFile): Promise<DelegationView[]> {
    ensureNotDestroyed(f);
    const scope = await this.scopeOf(f);
    if (f.holderId !== actor.id && this.canHold(actor.id, scope)) await this.requireHolder(actor, f, scope, 'read');
    const rows = await this.db.manager.getRepository(HandoverDelegation).find({ where: { fileId: f.id }, order: { id: 'ASC' } });
    return rows.map((d) => this.delegationView(d));
  }

  /** R-OFFBOARD: the files a user holds (not yet destroyed) must be transferred before they leave. */
  async heldBy(m: EntityManager, userId: number): Promise<Holding[]> {
    const files = await m.getRepository(HandoverFile).find({ where: { holderId: userId, status: Not('destroyed' as HandoverStatus) }, order: { id: 'ASC' } });
    return files.map((f) => ({ kind: 'handover_file', id: String(f.id), description: `holder of handover file ${serialOf(f.id)} (project ${this.projectCode(f.projectId)}, ${f.status})` }));
  }
  /** The caller's own open delegations (what a clerk may view now). */
  async myDelegations(actor: Acting): Promise<Array<DelegationView & { file: HandoverFileMeta }>> {
    const now = new Date();
    const ds = await this.db.manager.getRepository(HandoverDelegation).find({ where: { clerkId: actor.id, endedAt: IsNull(), expiresAt: MoreThan(now) }, order: { id: 'ASC' } });
    if (!ds.length) return [];
    const files = new Map((await this.db.manager.getRepository(HandoverFile).findBy({ id: In(ds.map((d) => d.fileId)) })).map((f) => [f.id, f]));
    return ds.filter((d) => files.get(d.fileId)?.status !== 'destroyed').map((d) => ({ ...this.delegationView(d, now), file: this.meta(files.get(d.fileId)!) }));
  }
}
