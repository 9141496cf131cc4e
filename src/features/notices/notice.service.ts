import { EntityManager, FindOptionsWhere, In } from 'typeorm';
import { AuditActor, AuditWriter } from '../../audit/audit-writer';
import { Database } from '../../db/database';
import { Department } from '../../entities/Department';
import { Inspection } from '../../entities/Inspection';
import { Notice, NoticeKind } from '../../entities/Notice';
import { Project } from '../../entities/Project';
import { User } from '../../entities/User';
import { NotFoundError, ValidationError } from '../../errors';
import { ROLES } from '../../policy/roles';
import { COMPANY, deptScope, projectScope } from '../../policy/scope';
import type { NotificationOutbox } from '../notifications/notification.service';

type Acting = AuditActor & { id: number };

/** The roles held in a project: everyone working there hears of a notice about it. */
const PROJECT_ROLES = ROLES.filter((r) => r.scopes.includes('project')).map((r) => r.name);

export interface NoticeView {
  id: number;
  kind: NoticeKind;
  project: string | null;
  projectName: string | null;
  department: string | null;
  inspectionId: number | null;
  title: string;
  body: string;
  publishedAt: Date;
  publishedBy: { id: number; username: string | null; displayName: string | null };
  /** true when published automatically on the completion of an inspection with a major hazard. */
  automatic: boolean;
}

export interface NoticeInput {
  kind: NoticeKind;
  projectId: number | null;
  departmentId: number | null;
  inspectionId: number | null;
  title: string;
  body: string;
  /** Set for an automatic notice (e.g. `inspection:42`): unique, so it is published once. */
  sourceKey: string | null;
}

/** The manual notice of the API: a project by code, optionally the inspection it follows. */
export interface ManualNoticeInput {
  kind: NoticeKind;
  project?: string;
  inspectionId?: number;
  title: string;
  body: string;
}

/**
 * R-INSPECT (§5.3.2): notices of the quality department, above all the public criticism
 * (通報批評) of a project with a major hidden hazard. A notice is published to the whole company:
 * every signed-in user reads the list. Publishing (notice:publish) is the quality department's;
 * it happens automatically when an inspection with a major hazard is completed (in that
 * transaction) or by hand. A notice is never changed or withdrawn: it is part of the record
 * (and of the project's history). Each publication is audited in its transaction (R-AUDIT).
 */
export class NoticeService {
  constructor(
    private readonly db: Database,
    private readonly audit: AuditWriter,
    private readonly outbox: NotificationOutbox,
  ) {}

  async load(id: number): Promise<Notice> {
    const n = await this.db.manager.getRepository(Notice).findOneBy({ id });
    if (!n) throw new NotFoundError('Notice', id);
    return n;
  }

  async views(m: EntityManager, notices: Notice[]): Promise<NoticeView[]> {
    const projectIds = [...new Set(notices.map((n) => n.projectId).filter((id): id is number => id !== null))];
    const deptIds = [...new Set(notices.map((n) => n.departmentId).filter((id): id is number => id !== null))];
    const userIds = [...new Set(notices.map((n) => n.publishedById))];
    const [projects, depts, users] = await Promise.all([
      projectIds.length ? m.getRepository(Project).findBy({ id: In(projectIds) }) : [],
      deptIds.length ? m.getRepository(Department).findBy({ id: In(deptIds) }) : [],
      userIds.length ? m.getRepository(User).find({ where: { id: In(userIds) }, select: { id: true, username: true, displayName: true } }) : [],
    ]);
    const project = new Map(projects.map((p) => [p.id, p]));
    const dept = new Map(depts.map((d) => [d.id, d.code]));
    const user = new Map(users.map((u) => [u.id, u]));
    return notices.map((n) => ({
      id: n.id,
      kind: n.kind,
      project: n.projectId === null ? null : (project.get(n.projectId)?.code ?? null),
      projectName: n.projectId === null ? null : (project.get(n.projectId)?.name ?? null),
      department: n.departmentId === null ? null : (dept.get(n.departmentId) ?? null),
      inspectionId: n.inspectionId,
      title: n.title,
      body: n.body,
      publishedAt: n.publishedAt,
      publishedBy: { id: n.publishedById, username: user.get(n.publishedById)?.username ?? null, displayName: user.get(n.publishedById)?.displayName ?? null },
      automatic: n.sourceKey !== null,
    }));
  }

  async view(n: Notice): Promise<NoticeView> {
    return (await this.views(this.db.manager, [n]))[0];
  }

  /** Every notice, newest first (any signed-in user: a notice is published to the whole company). */
  async list(f: { project?: string; kind?: NoticeKind; limit: number; offset: number }): Promise<{ items: NoticeView[]; total: number }> {
    const m = this.db.manager;
    const where: FindOptionsWhere<Notice> = f.kind ? { kind: f.kind } : {};
    if (f.project !== undefined) {
      const p = await m.getRepository(Project).findOneBy({ code: f.project });
      if (!p) throw new ValidationError('Unknown project', [{ path: 'query.project', message: `project ${f.project} does not exist` }]);
      where.projectId = p.id;
    }
    const [rows, total] = await m.getRepository(Notice).findAndCount({ where, order: { publishedAt: 'DESC', id: 'DESC' }, take: f.limit, skip: f.offset });
    return { items: await this.views(m, rows), total };
  }

  /** A project's notices, oldest first (its history). */
  async forProject(m: EntityManager, projectId: number): Promise<NoticeView[]> {
    return this.views(m, await m.getRepository(Notice).find({ where: { projectId }, order: { publishedAt: 'ASC', id: 'ASC' } }));
  }

  /**
   * Publishes a notice in the caller's transaction: the record, its audit event, and a message to
   * the holders of the project's roles and the heads of its department (the company reads the list).
   */
  async publishIn(m: EntityManager, actor: Acting, input: NoticeInput): Promise<Notice> {
    const project = input.projectId === null ? null : await m.getRepository(Project).findOneBy({ id: input.projectId });
    const notice = m.getRepository(Notice).create({ ...input, publishedAt: new Date(), publishedById: actor.id });
    await m.getRepository(Notice).insert(notice);
    const scope = project ? projectScope(project.code) : COMPANY;
    await this.audit.append(m, actor, {
      action: 'notice.published',
      objectType: 'notice',
      objectId: notice.id,
      scope,
      after: { kind: notice.kind, project: project?.code ?? null, inspectionId: notice.inspectionId, title: notice.title, automatic: notice.sourceKey !== null },
    });
    if (project) {
      // R-INSPECT: the people of the project hear of it (the company reads the list), and the
      // project's group robots once. The title and body are free text: they stay on the notice.
      const msg = {
        kind: `notice.${notice.kind}`,
        params: { noticeId: notice.id, project: project.code },
        objectType: 'notice',
        objectId: notice.id,
        dedupeKey: `notice:${notice.id}`,
        scope: projectScope(project.code),
      };
      for (const role of PROJECT_ROLES) await this.outbox.enqueueToRole(m, role, projectScope(project.code), msg);
      if (project.departmentId !== null) {
        const d = await m.getRepository(Department).findOneBy({ id: project.departmentId });
        if (d) await this.outbox.enqueueToRole(m, 'dept_head', deptScope(d.code), msg);
      }
    }
    return notice;
  }

  /** R-INSPECT: the quality department publishes a notice by hand (notice:publish). */
  async publish(actor: Acting, input: ManualNoticeInput): Promise<NoticeView> {
    return this.db.tx(async (m) => {
      let project: Project | null = null;
      if (input.project !== undefined) {
        project = await m.getRepository(Project).findOneBy({ code: input.project });
        if (!project) throw new ValidationError('Unknown project', [{ path: 'body.project', message: `project ${input.project} does not exist` }]);
      }
      if (input.inspectionId !== undefined) {
        const i = await m.getRepository(Inspection).findOneBy({ id: input.inspectionId });
        if (!i) throw new ValidationError('Unknown inspection', [{ path: 'body.inspectionId', message: `inspection ${input.inspectionId} does not exist` }]);
        if (project && i.projectId !== project.id) {
          throw new ValidationError('The inspection is of another project', [{ path: 'body.inspectionId', message: `inspection ${i.id} is not of project ${project.code}` }]);
        }
        project ??= await m.getRepository(Project).findOneByOrFail({ id: i.projectId });
      }
      if (input.kind === 'public_criticism' && !project) {
        throw new ValidationError('A public criticism names a project', [{ path: 'body.project', message: 'required for a public_criticism notice' }]);
      }
      const notice = await this.publishIn(m, actor, {
        kind: input.kind,
        projectId: project?.id ?? null,
        departmentId: project?.departmentId ?? null,
        inspectionId: input.inspectionId ?? null,
        title: input.title,
        body: input.body,
        sourceKey: null,
      });
      return (await this.views(m, [notice]))[0];
    });
  }
}
