import { EntityManager, FindOptionsWhere, In } from 'typeorm';
import { AuditActor, AuditWriter } from '../../audit/audit-writer';
import { Database } from '../../db/database';
import { Department } from '../../entities/Department';
import { Incident, IncidentStatus, IncidentType } from '../../entities/Incident';
import { Project } from '../../entities/Project';
import { User } from '../../entities/User';
import { ConflictError, NotFoundError, ValidationError } from '../../errors';
import { PolicyService } from '../../policy/policy-service';
import { COMPANY, deptScope } from '../../policy/scope';
import type { NotificationOutbox } from '../notifications/notification.service';
import type { SanctionSource } from '../sanctions/sanction.views';

type Acting = AuditActor & { id: number };

export interface IncidentView {
  id: number;
  type: IncidentType;
  status: IncidentStatus;
  project: string | null;
  departmentId: number | null;
  department: string | null;
  /** Hidden for an anonymous report (and never stored). */
  reporterId: number | null;
  anonymous: boolean;
  description: string;
  copyId: number | null;
  holderUserId: number | null;
  investigatorId: number | null;
  investigationStartedAt: Date | null;
  findings: string | null;
  responsibleUserIds: number[];
  concludedById: number | null;
  createdAt: Date;
  updatedAt: Date;
  concludedAt: Date | null;
}

export interface IncidentReport {
  type: IncidentType;
  description: string;
  /** Where it happened, if the reporter knows: a project code and/or a department code. */
  project?: string;
  department?: string;
  /** R-REWARD: an anonymous report stores no reporter (and cannot earn a reward for reporting). */
  anonymous: boolean;
}

export interface IncidentFilter {
  status?: IncidentStatus;
  type?: IncidentType;
  project?: string;
  limit: number;
  offset: number;
}

/**
 * The actor of an anonymous report in the audit trail: no id, no name, no request id, no IP.
 * R-AUDIT requires the event (the incident exists because someone reported it); anonymity
 * toward the investigators (and anyone reading the trail) requires that nothing in it points
 * back at the reporter, so the event carries `incident.reported_anonymously` and nothing else
 * about who or where from.
 */
export const ANONYMOUS_REPORTER: AuditActor = Object.freeze({ id: null, username: null, requestId: null, ip: null });

/**
 * Incidents (R-PENALTY §5.3.4, R-REWARD §5.3.3): suspected leaks, lost written lists, selling or
 * illegally acquiring customer information. Any signed-in employee reports one (anonymously if
 * they wish); a lost controlled copy opens one from the paper ledger (openForLostCopy). The
 * quality department takes it up (reported → investigating) and concludes it with findings and
 * the persons responsible (→ concluded), on which the reward/penalty register bases penalties.
 * Transitions are conditional updates on the status: two at once end with one winner and a 409.
 */
export class IncidentService {
  constructor(
    private readonly db: Database,
    private readonly audit: AuditWriter,
    private readonly policy: PolicyService,
    private readonly outbox: NotificationOutbox,
  ) {}

  async load(id: number): Promise<Incident> {
    const i = await this.db.manager.getRepository(Incident).findOneBy({ id });
    if (!i) throw new NotFoundError('Incident', id);
    return i;
  }

  /** The incident's scope: its project, else its department, else the company. */
  async scopeOf(i: Pick<Incident, 'projectId' | 'departmentId'>, m: EntityManager = this.db.manager): Promise<string> {
    if (i.projectId !== null) return this.policy.projectScope(i.projectId, m);
    if (i.departmentId !== null) {
      const d = await m.getRepository(Department).findOneBy({ id: i.departmentId });
      if (d) return deptScope(d.code);
    }
    return COMPANY;
  }

  private async views(m: EntityManager, rows: Incident[]): Promise<IncidentView[]> {
    const deptIds = [...new Set(rows.map((i) => i.departmentId).filter((x): x is number => x !== null))];
    const depts = deptIds.length ? await m.getRepository(Department).findBy({ id: In(deptIds) }) : [];
    const deptCode = new Map(depts.map((d) => [d.id, d.code]));
    return rows.map((i) => this.viewWith(i, i.departmentId === null ? null : (deptCode.get(i.departmentId) ?? null)));
  }

  private viewWith(i: Incident, department: string | null): IncidentView {
    const anonymous = Boolean(i.anonymous);
    return {
      id: i.id,
      type: i.type,
      status: i.status,
      project: i.projectId === null ? null : (this.policy.projectCode(i.projectId) ?? String(i.projectId)),
      departmentId: i.departmentId,
      department,
      reporterId: anonymous ? null : i.reporterId,
      anonymous,
      description: i.description,
      copyId: i.copyId,
      holderUserId: i.holderUserId,
      investigatorId: i.investigatorId,
      investigationStartedAt: i.investigationStartedAt,
      findings: i.findings,
      responsibleUserIds: i.responsibleUserIds,
      concludedById: i.concludedById,
      createdAt: i.createdAt,
      updatedAt: i.updatedAt,
      concludedAt: i.concludedAt,
    };
  }

  async view(i: Incident): Promise<IncidentView> {
    return (await this.views(this.db.manager, [i]))[0];
  }

  async list(f: IncidentFilter): Promise<{ items: IncidentView[]; total: number }> {
    const m = this.db.manager;
    let projectId: number | undefined;
    if (f.project !== undefined) {
      const p = await m.getRepository(Project).findOneBy({ code: f.project });
      if (!p) throw new ValidationError('Unknown project', [{ path: 'query.project', message: `project ${f.project} does not exist` }]);
      projectId = p.id;
    }
    const where: FindOptionsWhere<Incident> = {
      ...(f.status ? { status: f.status } : {}),
      ...(f.type ? { type: f.type } : {}),
      ...(projectId !== undefined ? { projectId } : {}),
    };
    const [rows, total] = await m.getRepository(Incident).findAndCount({ where, order: { id: 'DESC' }, take: f.limit, skip: f.offset });
    return { items: await this.views(m, rows), total };
  }

  /**
   * Any signed-in employee reports a suspected leak or illegal acquisition (R-REWARD §5.3.3 (1),
   * R-PENALTY). An anonymous report stores no reporter and its audit event names no actor
   * (ANONYMOUS_REPORTER). The quality department is told at once (outbox).
   */
  async report(actor: Acting, input: IncidentReport): Promise<IncidentView> {
    const i = await this.db.tx(async (m) => {
      const issues: Array<{ path: string; message: string }> = [];
      const project = input.project === undefined ? null : await m.getRepository(Project).findOneBy({ code: input.project });
      if (input.project !== undefined && !project) issues.push({ path: 'body.project', message: `project ${input.project} does not exist` });
      const department = input.department === undefined ? null : await m.getRepository(Department).findOneBy({ code: input.department });
      if (input.department !== undefined && !department) issues.push({ path: 'body.department', message: `department ${input.department} does not exist` });
      if (project && department && project.departmentId !== null && project.departmentId !== department.id) {
        issues.push({ path: 'body.department', message: `project ${project.code} is not in department ${department.code}` });
      }
      if (issues.length) throw new ValidationError(issues.map((x) => x.message).join('; '), issues);
      const now = new Date();
      const i = m.getRepository(Incident).create({
        type: input.type,
        status: 'reported',
        projectId: project?.id ?? null,
        departmentId: department?.id ?? project?.departmentId ?? null,
        reporterId: input.anonymous ? null : actor.id,
        anonymous: input.anonymous,
        description: input.description,
        copyId: null,
        holderUserId: null,
        investigatorId: null,
        investigationStartedAt: null,
        findings: null,
        responsibleUserIds: [],
        concludedById: null,
        createdAt: now,
        updatedAt: now,
        concludedAt: null,
      });
      await m.getRepository(Incident).insert(i);
      const scope = await this.scopeOf(i, m);
      // The description may quote customer information: it stays in the incident, not in the trail.
      await this.audit.append(m, input.anonymous ? ANONYMOUS_REPORTER : actor, {
        action: input.anonymous ? 'incident.reported_anonymously' : 'incident.reported',
        objectType: 'incident',
        objectId: i.id,
        scope,
        after: { type: i.type, status: i.status, anonymous: input.anonymous, projectId: i.projectId, departmentId: i.departmentId },
      });
      // No group robot (no scope): an incident under investigation is not posted to the project's
      // chat, and nothing points at an anonymous reporter. The description stays in the incident.
      await this.outbox.enqueueToRole(m, 'quality_inspector', COMPANY, {
        kind: 'incident.reported',
        params: { incidentId: i.id, type: i.type, where: scope === COMPANY ? '' : scope },
        objectType: 'incident',
        objectId: i.id,
        dedupeKey: `incident.reported:${i.id}`,
      });
      return i;
    });
    return this.view(i);
  }

  /**
   * R-PENALTY (2): a lost controlled copy is a lost written customer-information list. Opens a
   * `lost_written_list` incident naming the copy and its holder (the first candidate for
   * responsibility), in the caller's transaction, with its audit event.
   */
  async openForLostCopy(
    m: EntityManager,
    actor: AuditActor,
    input: { copyId: number; serial: string; projectId: number; departmentId: number | null; holderUserId: number; description: string; scope: string },
  ): Promise<Incident> {
    const now = new Date();
    const incident = m.getRepository(Incident).create({
      type: 'lost_written_list',
      status: 'reported',
      projectId: input.projectId,
      departmentId: input.departmentId,
      reporterId: actor.id,
      anonymous: false,
      description: input.description,
      copyId: input.copyId,
      holderUserId: input.holderUserId,
      investigatorId: null,
      investigationStartedAt: null,
      findings: null,
      responsibleUserIds: [],
      concludedById: null,
      createdAt: now,
      updatedAt: now,
      concludedAt: null,
    });
    await m.getRepository(Incident).insert(incident);
    await this.audit.append(m, actor, {
      action: 'incident.opened',
      objectType: 'incident',
      objectId: incident.id,
      scope: input.scope,
      after: { type: incident.type, copy: input.serial, holderUserId: input.holderUserId },
    });
    // The quality department is told at once, as for a reported incident (identifiers only).
    await this.outbox.enqueueToRole(m, 'quality_inspector', COMPANY, {
      kind: 'incident.reported',
      params: { incidentId: incident.id, type: incident.type, where: input.scope },
      objectType: 'incident',
      objectId: incident.id,
      dedupeKey: `incident.reported:${incident.id}`,
    });
    return incident;
  }

  /** The quality department takes the incident up: reported → investigating. */
  async investigate(actor: Acting, i: Incident, note: string | null): Promise<IncidentView> {
    const now = new Date();
    await this.db.tx(async (m) => {
      const res = await m
        .getRepository(Incident)
        .update({ id: i.id, status: 'reported' }, { status: 'investigating', investigatorId: actor.id, investigationStartedAt: now, updatedAt: now });
      if (!res.affected) throw new ConflictError('not_reported', `Incident ${i.id} is no longer awaiting investigation`);
      await this.audit.append(m, actor, {
        action: 'incident.investigating',
        objectType: 'incident',
        objectId: i.id,
        scope: await this.scopeOf(i, m),
        reason: note ?? undefined,
        before: { status: 'reported' },
        after: { status: 'investigating', investigatorId: actor.id },
      });
    });
    return this.view(await this.load(i.id));
  }

  /**
   * The quality department concludes: investigating → concluded, with the findings and the
   * persons responsible (possibly none), and the type the investigation established (R-PENALTY).
   */
  async conclude(actor: Acting, i: Incident, input: { findings: string; responsibleUserIds: number[]; type?: IncidentType }): Promise<IncidentView> {
    const responsible = [...new Set(input.responsibleUserIds)].sort((a, b) => a - b);
    const now = new Date();
    await this.db.tx(async (m) => {
      const found = responsible.length ? await m.getRepository(User).find({ where: { id: In(responsible) }, select: { id: true } }) : [];
      const missing = responsible.filter((id) => !found.some((u) => u.id === id));
      if (missing.length) throw new ValidationError('Unknown responsible persons', [{ path: 'body.responsibleUserIds', message: `user(s) ${missing.join(', ')} do not exist` }]);
      const type = input.type ?? i.type;
      const res = await m
        .getRepository(Incident)
        .update({ id: i.id, status: 'investigating' }, { status: 'concluded', type, findings: input.findings, responsibleUserIds: responsible, concludedById: actor.id, concludedAt: now, updatedAt: now });
      if (!res.affected) {
        const current = await m.getRepository(Incident).findOneBy({ id: i.id });
        throw new ConflictError('not_investigating', `Incident ${i.id} is ${current?.status ?? 'gone'}: only an incident under investigation is concluded`);
      }
      await this.audit.append(m, actor, {
        action: 'incident.concluded',
        objectType: 'incident',
        objectId: i.id,
        scope: await this.scopeOf(i, m),
        before: { status: 'investigating', type: i.type },
        after: { status: 'concluded', type, responsibleUserIds: responsible },
      });
    });
    return this.view(await this.load(i.id));
  }

  /**
   * The incident as the source of a reward or penalty (R-REWARD, R-PENALTY; registered with the
   * reward/penalty register in src/context.ts): its reporter, unless anonymous, is the one who
   * may be rewarded for reporting; once concluded, the persons found responsible are the ones
   * who may be penalised (before conclusion, nobody).
   */
  async sanctionSource(m: EntityManager, id: number): Promise<SanctionSource | null> {
    const i = await m.getRepository(Incident).findOneBy({ id });
    if (!i) return null;
    const anonymous = Boolean(i.anonymous);
    return {
      projectId: i.projectId,
      departmentId: i.departmentId,
      label: `incident #${i.id} (${i.type})`,
      anonymousReporter: anonymous,
      incidentType: i.type,
      reporterId: anonymous ? null : i.reporterId,
      responsibleUserIds: i.status === 'concluded' ? i.responsibleUserIds : [],
    };
  }
}
