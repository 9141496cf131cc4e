import { LessThanOrEqual, Not } from 'typeorm';
import { AuditWriter, SYSTEM_ACTOR } from '../../audit/audit-writer';
import { Database } from '../../db/database';
import { CaseStatus, ComplaintCase } from '../../entities/ComplaintCase';
import { Department } from '../../entities/Department';
import { Project } from '../../entities/Project';
import type { JobPeriod } from '../../jobs/period';
import { PolicyService } from '../../policy/policy-service';
import { deptScope, projectScope } from '../../policy/scope';
import type { NotificationOutbox } from '../notifications/notification.service';

/** R-CASE-CHASE (第十四條): the daily reminders of overdue open cases. Used by CaseService only. */
export class CaseChase {
  constructor(
    private readonly db: Database,
    private readonly audit: AuditWriter,
    private readonly policy: PolicyService,
    private readonly outbox: NotificationOutbox,
  ) {}

  /**
   * 第十四條: a reminder (催辦單) for every open case past its due date, as of `period.dueAt`: to the
   * heads of the responsible department, or, before a department is assigned, to the project's
   * project manager. One per case per day (dedupe key), so a rerun of the day adds nothing.
   */
  async chaseOverdue(period: JobPeriod): Promise<Record<string, unknown>> {
    const now = period.dueAt;
    const overdue = await this.db.manager.getRepository(ComplaintCase).find({
      where: { status: Not('closed' as CaseStatus), dueAt: LessThanOrEqual(now) },
      order: { dueAt: 'ASC', id: 'ASC' },
    });
    let reminders = 0;
    const unreached: string[] = [];
    for (const c of overdue) {
      const written = await this.db.tx(async (m) => {
        const project = await m.getRepository(Project).findOneBy({ id: c.projectId });
        const dept = c.departmentId === null ? null : await m.getRepository(Department).findOneBy({ id: c.departmentId });
        const projectCode = project?.code ?? String(c.projectId);
        const [role, scope] = dept ? ['dept_head', deptScope(dept.code)] : ['project_manager', projectScope(projectCode)];
        const n = await this.outbox.enqueueToRole(m, role, scope, {
          kind: 'case.chase',
          subject: `催辦單 Overdue complaint case ${c.caseNo}`,
          // The case number, project, dates and state only: never the customer or the case's text.
          body:
            `客訴案件 ${c.caseNo}（項目 ${projectCode}）已逾期：處理期限 ${c.dueDate}，目前狀態 ${c.status}。請儘速處理。\n` +
            `Complaint case ${c.caseNo} (project ${projectCode}) is overdue: it was due on ${c.dueDate} and is ${c.status}. Please handle it.`,
          objectType: 'case',
          objectId: c.id,
          dedupeKey: `case.chase:${c.caseNo}:${period.key}`,
        });
        if (n > 0) {
          await this.audit.append(m, SYSTEM_ACTOR, {
            action: 'case.chased',
            objectType: 'case',
            objectId: c.id,
            scope: projectScope(projectCode),
            after: { caseNo: c.caseNo, dueDate: c.dueDate, status: c.status, to: `${role} in ${scope}`, reminders: n, day: period.key },
          });
        }
        return { n, role, scope };
      });
      reminders += written.n;
      if (this.policy.holdersOf(written.role, written.scope).length === 0) unreached.push(c.caseNo);
    }
    return { overdue: overdue.length, reminders, unreached };
  }
}
