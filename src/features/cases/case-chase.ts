import { LessThanOrEqual, MoreThan, Not } from 'typeorm';
import { AuditWriter, SYSTEM_ACTOR } from '../../audit/audit-writer';
import { Database } from '../../db/database';
import { CaseStatus, ComplaintCase } from '../../entities/ComplaintCase';
import type { JobPeriod } from '../../jobs/period';
import { PolicyService } from '../../policy/policy-service';
import { projectScope } from '../../policy/scope';
import { CASE_DUE_SOON_DAYS, CaseMessages } from './case-messages';

/** A local date (YYYY-MM-DD) plus `n` calendar days. */
function addDays(day: string, n: number): string {
  const [y, mo, d] = day.split('-').map(Number);
  return new Date(Date.UTC(y, mo - 1, d + n)).toISOString().slice(0, 10);
}

/** R-CASE-CHASE (第十四條): the daily reminders of overdue open cases, and of cases near their deadline. Used by CaseService only. */
export class CaseChase {
  constructor(
    private readonly db: Database,
    private readonly audit: AuditWriter,
    private readonly policy: PolicyService,
    private readonly messages: CaseMessages,
  ) {}

  /**
   * 第十四條: a reminder (催辦單) for every open case past its due date, as of `period.dueAt`: to the
   * heads of the responsible department, or, before a department is assigned, to the project's
   * project manager. One per case per day (dedupe key), so a rerun of the day adds nothing.
   * R-CASE-DEADLINE: an open case due within CASE_DUE_SOON_DAYS of the day (and not yet overdue)
   * reminds the same people once.
   */
  async chaseOverdue(period: JobPeriod): Promise<Record<string, unknown>> {
    const now = period.dueAt;
    const open = Not('closed' as CaseStatus);
    const overdue = await this.db.manager.getRepository(ComplaintCase).find({
      where: { status: open, dueAt: LessThanOrEqual(now) },
      order: { dueAt: 'ASC', id: 'ASC' },
    });
    let reminders = 0;
    const unreached: string[] = [];
    for (const c of overdue) {
      const written = await this.db.tx(async (m) => {
        const r = await this.messages.chase(m, c, period.key);
        if (r.n > 0) {
          await this.audit.append(m, SYSTEM_ACTOR, {
            action: 'case.chased',
            objectType: 'case',
            objectId: c.id,
            scope: projectScope(r.project),
            after: { caseNo: c.caseNo, dueDate: c.dueDate, status: c.status, to: `${r.role} in ${r.scope}`, reminders: r.n, day: period.key },
          });
        }
        return r;
      });
      reminders += written.n;
      if (this.policy.holdersOf(written.role, written.scope).length === 0) unreached.push(c.caseNo);
    }
    const soon = await this.db.manager.getRepository(ComplaintCase).find({
      where: { status: open, dueAt: MoreThan(now), dueDate: LessThanOrEqual(addDays(period.key, CASE_DUE_SOON_DAYS)) },
      order: { dueAt: 'ASC', id: 'ASC' },
    });
    let dueSoonReminders = 0;
    for (const c of soon) dueSoonReminders += await this.db.tx((m) => this.messages.dueSoon(m, c));
    return { overdue: overdue.length, reminders, unreached, dueSoon: soon.length, dueSoonReminders };
  }
}
