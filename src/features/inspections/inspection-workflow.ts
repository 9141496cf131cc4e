import { EntityManager } from 'typeorm';
import type { Acting } from '../../api/route';
import { AuditWriter } from '../../audit/audit-writer';
import { Database, forUpdate } from '../../db/database';
import { Inspection } from '../../entities/Inspection';
import { FindingSeverity, InspectionFinding } from '../../entities/InspectionFinding';
import { InspectionItem } from '../../entities/InspectionItem';
import { InspectionRectification } from '../../entities/InspectionRectification';
import { Project } from '../../entities/Project';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../errors';
import { Authorizer } from '../../policy/authorizer';
import type { NoticeService } from '../notices/notice.service';
import type { NotificationOutbox } from '../notifications/notification.service';
import type { RectificationService } from '../rectifications/rectification.service';
import type { RectificationChanges } from '../rectifications/rectification.views';
import { ChecklistEntryInput, FindingView, InspectionItemView, InspectionView, InspectionViews, ItemChanges, itemView, RectificationView, ResultCounts } from './inspection.views';

const PUBLISH = { object: 'notice', action: 'publish' };

/** What the audit trail keeps of an item's record. */
const itemSnapshot = (i: Pick<InspectionItem, 'requirementId' | 'result' | 'notes' | 'evidence'>) => ({
  requirementId: i.requirementId,
  result: i.result,
  notes: i.notes,
  evidence: i.evidence,
});

/**
 * R-INSPECT: conducting an inspection: the inspector records items, rates findings, assigns
 * rectifications and completes it (publishing the public criticism of a major hazard). Each
 * command is one transaction with its audit event (R-AUDIT).
 */
export class InspectionWorkflow {
  constructor(
    private readonly db: Database,
    private readonly audit: AuditWriter,
    private readonly authz: Authorizer,
    private readonly notices: NoticeService,
    private readonly rectifications: RectificationService,
    private readonly views: InspectionViews,
    private readonly outbox: NotificationOutbox,
  ) {}

  /** The inspection, locked for the rest of the transaction, still in progress (409 otherwise). */
  private async lockOpen(m: EntityManager, id: number): Promise<Inspection> {
    const i = await m.getRepository(Inspection).findOne({ where: { id }, ...forUpdate(this.db.mysql) });
    if (!i) throw new NotFoundError('Inspection', id);
    if (i.status !== 'in_progress') {
      throw new ConflictError('inspection_completed', `Inspection ${id} was completed on ${i.completedAt?.toISOString()}; its record no longer changes`);
    }
    return i;
  }


  /**
   * R-INSPECT: the inspector records an item: pass, fail or not applicable, with notes and
   * evidence. An item with findings stays failed (409 item_has_findings): its findings would
   * otherwise rate a requirement that passed.
   */
  async recordItem(actor: Acting, inspectionId: number, itemId: number, changes: ItemChanges): Promise<InspectionItemView> {
    return this.db.tx(async (m) => {
      const i = await this.lockOpen(m, inspectionId);
      const item = await m.getRepository(InspectionItem).findOneBy({ id: itemId, inspectionId: i.id });
      if (!item) throw new NotFoundError(`Item of inspection ${i.id}`, itemId);
      if (changes.result !== undefined && changes.result !== 'fail' && item.result === 'fail') {
        const findings = await m.getRepository(InspectionFinding).countBy({ inspectionId: i.id, itemId: item.id });
        if (findings > 0) {
          throw new ConflictError('item_has_findings', `Item ${item.id} (${item.requirementId}) has ${findings} finding(s); only a failed item has findings`);
        }
      }
      const before = itemSnapshot(item);
      const now = new Date();
      const update: Partial<InspectionItem> = { recordedAt: now, recordedById: actor.id };
      if (changes.result !== undefined) update.result = changes.result;
      if (changes.notes !== undefined) update.notes = changes.notes;
      if (changes.evidence !== undefined) update.evidence = changes.evidence;
      await m.getRepository(InspectionItem).update({ id: item.id }, update);
      await m.getRepository(Inspection).update({ id: i.id }, { updatedAt: now });
      const after = Object.assign(item, update);
      await this.audit.append(m, actor, {
        action: 'inspection.item_recorded',
        objectType: 'inspection',
        objectId: i.id,
        scope: await this.views.scopeOf(i, m),
        before,
        after: { itemId: item.id, ...itemSnapshot(after) },
      });
      return itemView(after);
    });
  }

  /**
   * R-INSPECT: the whole checklist in one request (the console's "save"): every entry is recorded
   * as recordItem records one, all or nothing in one transaction. An unknown item is a 400 naming
   * body.items.N.itemId; an item with findings stays failed (409 item_has_findings); a completed
   * inspection is 409. Each item that changes gets its own inspection.item_recorded event, as the
   * single-item route writes; an entry equal to what is recorded changes nothing and is not
   * recorded again (the console sends the whole list on every save). notes/evidence: absent
   * leaves them, null clears them, as on the single-item route.
   */
  async saveChecklist(actor: Acting, inspectionId: number, entries: ChecklistEntryInput[]): Promise<InspectionView> {
    return this.db.tx(async (m) => {
      const i = await this.lockOpen(m, inspectionId);
      const items = await m.getRepository(InspectionItem).find({ where: { inspectionId: i.id } });
      const byId = new Map(items.map((it) => [it.id, it]));
      const unknown = entries.flatMap((e, n) =>
        byId.has(e.itemId) ? [] : [{ path: `body.items.${n}.itemId`, message: `item ${e.itemId} is not an item of inspection ${i.id}` }],
      );
      if (unknown.length) throw new ValidationError('Unknown checklist item', unknown);
      // Items with findings, in one query: such an item stays failed.
      const rated = new Set((await m.getRepository(InspectionFinding).find({ where: { inspectionId: i.id }, select: { itemId: true } })).map((f) => f.itemId));
      const flipped = entries.filter((e) => e.result !== 'fail' && byId.get(e.itemId)!.result === 'fail' && rated.has(e.itemId));
      if (flipped.length) {
        throw new ConflictError('item_has_findings', `Item(s) with findings stay failed: ${flipped.map((e) => byId.get(e.itemId)!.requirementId).join(', ')}`, {
          itemIds: flipped.map((e) => e.itemId),
        });
      }
      const now = new Date();
      const scope = await this.views.scopeOf(i, m);
      let changed = 0;
      for (const e of entries) {
        const item = byId.get(e.itemId)!;
        const update: Partial<InspectionItem> = { result: e.result };
        if (e.notes !== undefined) update.notes = e.notes;
        if (e.evidence !== undefined) update.evidence = e.evidence;
        const same = (Object.keys(update) as Array<keyof typeof update>).every((k) => item[k] === update[k]);
        if (same && item.recordedAt !== null) continue;
        const before = itemSnapshot(item);
        Object.assign(update, { recordedAt: now, recordedById: actor.id });
        await m.getRepository(InspectionItem).update({ id: item.id }, update);
        const after = Object.assign(item, update);
        await this.audit.append(m, actor, {
          action: 'inspection.item_recorded',
          objectType: 'inspection',
          objectId: i.id,
          scope,
          before,
          after: { itemId: item.id, ...itemSnapshot(after) },
        });
        changed++;
      }
      if (changed) await m.getRepository(Inspection).update({ id: i.id }, { updatedAt: now });
      return this.views.view(changed ? Object.assign(i, { updatedAt: now }) : i, m);
    });
  }

  /**
   * R-INSPECT: a finding rates a failed item: minor, or a major hidden hazard (which brings a
   * public criticism when the inspection is completed). Only a failed item has findings (409
   * item_not_failed).
   */
  async addFinding(actor: Acting, inspectionId: number, input: { itemId: number; severity: FindingSeverity; description: string }): Promise<FindingView> {
    return this.db.tx(async (m) => {
      const i = await this.lockOpen(m, inspectionId);
      const item = await m.getRepository(InspectionItem).findOneBy({ id: input.itemId, inspectionId: i.id });
      if (!item) throw new ValidationError('Unknown item', [{ path: 'body.itemId', message: `item ${input.itemId} is not an item of inspection ${i.id}` }]);
      if (item.result !== 'fail') {
        throw new ConflictError('item_not_failed', `Item ${item.id} (${item.requirementId}) is ${item.result}: record it as fail before rating a finding on it`);
      }
      const finding = m.getRepository(InspectionFinding).create({
        inspectionId: i.id,
        itemId: item.id,
        projectId: i.projectId,
        departmentId: i.departmentId,
        severity: input.severity,
        description: input.description,
        createdAt: new Date(),
        createdById: actor.id,
      });
      await m.getRepository(InspectionFinding).insert(finding);
      await m.getRepository(Inspection).update({ id: i.id }, { updatedAt: finding.createdAt });
      await this.audit.append(m, actor, {
        action: 'inspection.finding_recorded',
        objectType: 'inspection',
        objectId: i.id,
        scope: await this.views.scopeOf(i, m),
        after: { findingId: finding.id, itemId: item.id, requirementId: item.requirementId, severity: finding.severity, description: finding.description },
      });
      return {
        id: finding.id,
        itemId: item.id,
        requirementId: item.requirementId,
        severity: finding.severity,
        description: finding.description,
        createdAt: finding.createdAt,
        createdById: finding.createdById,
        rectificationIds: [],
      };
    });
  }

  /**
   * R-INSPECT: a rectification for a finding, with its owner (an active user) and a due date not
   * in the past, kept by the rectification register (open → in_progress → done).
   */
  async assignRectification(
    actor: Acting,
    inspectionId: number,
    input: { findingId: number; description: string; ownerUserId: number; dueDate: string },
  ): Promise<RectificationView> {
    return this.db.tx(async (m) => {
      const i = await this.lockOpen(m, inspectionId);
      const finding = await m.getRepository(InspectionFinding).findOneBy({ id: input.findingId, inspectionId: i.id });
      if (!finding) throw new ValidationError('Unknown finding', [{ path: 'body.findingId', message: `finding ${input.findingId} is not a finding of inspection ${i.id}` }]);
      // The register refuses (400) a due date in the past and an owner who is not an active user.
      const r = await this.rectifications.open(m, actor, {
        sourceType: 'inspection',
        sourceId: i.id,
        departmentId: i.departmentId,
        projectId: i.projectId,
        description: input.description,
        ownerUserId: input.ownerUserId,
        dueDate: input.dueDate,
      });
      await m.getRepository(InspectionRectification).insert({ inspectionId: i.id, findingId: finding.id, rectificationId: r.id, createdAt: new Date(), createdById: actor.id });
      await m.getRepository(Inspection).update({ id: i.id }, { updatedAt: new Date() });
      await this.audit.append(m, actor, {
        action: 'inspection.rectification_assigned',
        objectType: 'inspection',
        objectId: i.id,
        scope: await this.views.scopeOf(i, m),
        after: { findingId: finding.id, rectificationId: r.id, ownerUserId: input.ownerUserId, dueDate: input.dueDate },
      });
      return { ...r, findingId: finding.id };
    });
  }

  /**
   * R-INSPECT: progress of a rectification assigned by this inspection (status, evidence), through
   * the register. Allowed after completion: rectifying is what follows an inspection.
   */
  async updateRectification(actor: Acting, inspectionId: number, rectificationId: number, changes: RectificationChanges): Promise<RectificationView> {
    return this.db.tx(async (m) => {
      const link = await m.getRepository(InspectionRectification).findOneBy({ inspectionId, rectificationId });
      if (!link) throw new NotFoundError(`Rectification of inspection ${inspectionId}`, rectificationId);
      const r = await this.rectifications.update(m, actor, rectificationId, changes);
      return { ...r, findingId: link.findingId };
    });
  }

  /**
   * R-INSPECT: completes the inspection (in_progress → completed). Every item must be recorded and
   * every failed item rated (409 otherwise). With a major hazard, the public criticism (通報批評)
   * of the project is published in the same transaction, which needs notice:publish. Two
   * completions at once: the conditional update lets one win; the other gets 409, and the
   * notice's unique source key holds even then.
   */
  async complete(actor: Acting, inspectionId: number, conclusion: string | null): Promise<InspectionView> {
    const scope = await this.views.scopeOf(await this.views.load(inspectionId));
    // Checked (and a refusal recorded) before the transaction: a major hazard needs the right to publish.
    const hasMajor = (await this.db.manager.getRepository(InspectionFinding).countBy({ inspectionId, severity: 'major_hazard' })) > 0;
    if (hasMajor) await this.authz.require(actor, scope, PUBLISH);
    return this.db.tx(async (m) => {
      const i = await m.getRepository(Inspection).findOne({ where: { id: inspectionId }, ...forUpdate(this.db.mysql) });
      if (!i) throw new NotFoundError('Inspection', inspectionId);
      if (i.status === 'completed') throw new ConflictError('already_completed', `Inspection ${i.id} was already completed on ${i.completedAt?.toISOString()}`);
      const items = await m.getRepository(InspectionItem).find({ where: { inspectionId: i.id }, order: { position: 'ASC' } });
      const pending = items.filter((it) => it.result === 'pending');
      if (pending.length) {
        throw new ConflictError('items_pending', `${pending.length} item(s) not recorded yet: ${pending.map((it) => it.requirementId).join(', ')}`, {
          itemIds: pending.map((it) => it.id),
        });
      }
      const findings = await m.getRepository(InspectionFinding).find({ where: { inspectionId: i.id }, order: { id: 'ASC' } });
      const unrated = items.filter((it) => it.result === 'fail' && !findings.some((f) => f.itemId === it.id));
      if (unrated.length) {
        throw new ConflictError('findings_missing', `Failed item(s) without a rated finding: ${unrated.map((it) => it.requirementId).join(', ')}`, {
          itemIds: unrated.map((it) => it.id),
        });
      }
      const majors = findings.filter((f) => f.severity === 'major_hazard');
      // A hazard rated after the check above (a race): refuse rather than publish without the right.
      if (majors.length && !this.authz.decide(actor.id, scope, PUBLISH).allowed) {
        throw new ForbiddenError('forbidden', `Missing permission notice:publish in scope ${scope}`, { permission: 'notice:publish', scope });
      }
      const now = new Date();
      const done = await m
        .getRepository(Inspection)
        .update({ id: i.id, status: 'in_progress' }, { status: 'completed', completedAt: now, completedById: actor.id, updatedAt: now, conclusion });
      if (!done.affected) throw new ConflictError('already_completed', `Inspection ${i.id} was already completed`);
      const counts: ResultCounts = { pending: 0, pass: 0, fail: 0, na: 0 };
      for (const it of items) counts[it.result]++;
      await this.audit.append(m, actor, {
        action: 'inspection.completed',
        objectType: 'inspection',
        objectId: i.id,
        scope,
        reason: conclusion ?? undefined,
        before: { status: 'in_progress' },
        after: { status: 'completed', counts, minor: findings.length - majors.length, majorHazard: majors.length },
      });
      if (majors.length) {
        const p = await m.getRepository(Project).findOneByOrFail({ id: i.projectId });
        const byItem = new Map(items.map((it) => [it.id, it]));
        await this.notices.publishIn(m, actor, {
          kind: 'public_criticism',
          projectId: p.id,
          departmentId: p.departmentId,
          inspectionId: i.id,
          title: `通報批評：項目 ${p.code} 客戶信息保密存在重大隱患（${i.period}）/ Public criticism: major hazard in project ${p.code} (${i.period})`,
          body: criticismBody(p, i.period, majors.map((f) => ({ item: byItem.get(f.itemId), description: f.description }))),
          sourceKey: `inspection:${i.id}`,
        });
      }
      return this.views.view(Object.assign(i, { status: 'completed' as const, completedAt: now, completedById: actor.id, updatedAt: now, conclusion }), m);
    });
  }
}

/** The text of a public criticism: the project, the period and each major hazard with its clause. */
function criticismBody(p: Project, period: string, majors: Array<{ item: InspectionItem | undefined; description: string }>): string {
  const lines = majors.map((h, n) => `${n + 1}. ${h.item ? `${h.item.requirementId} ${h.item.clause}: ` : ''}${h.description}`);
  return [
    `品質管理部於 ${period} 對項目 ${p.code}（${p.name}）的客戶信息保密工作進行檢查，發現下列重大隱患，依《客戶信息保密制度》第5.3.2條予以通報批評，並限期整改：`,
    ...lines,
    '',
    `The Quality Management Department's ${period} inspection of project ${p.code} (${p.name}) found the major hidden hazards above; under §5.3.2 of the Customer Information Confidentiality Rules the project is publicly criticized and must rectify them by the dates set.`,
  ].join('\n');
}
