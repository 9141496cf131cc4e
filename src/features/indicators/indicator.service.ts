import { Brackets, EntityManager, In } from 'typeorm';
import { Database } from '../../db/database';
import { AuditEvent } from '../../entities/AuditEvent';
import { ControlledCopy } from '../../entities/ControlledCopy';
import { CustomerExport } from '../../entities/CustomerExport';
import { CustomerImport } from '../../entities/CustomerImport';
import { Department } from '../../entities/Department';
import { HandoverFile } from '../../entities/HandoverFile';
import { InventoryItem } from '../../entities/InventoryItem';
import { PortRecord } from '../../entities/PortRecord';
import { Project } from '../../entities/Project';
import { TwoPersonConfirmation } from '../../entities/TwoPersonConfirmation';
import { localDate, wallClock } from '../../lib/time';
import { CustomerAccess } from '../../entities/CustomerAccess';
import { deptScope, projectScope } from '../../policy/scope';
import type { HandoverService } from '../handover/handover.service';
import type { RectificationService } from '../rectifications/rectification.service';
import { DEFS, Indicator, IndicatorScope } from './indicator.views';

export type { Indicator, IndicatorKey, IndicatorScope } from './indicator.views';

/** The handover ledger's counts. */
type HandoverCounts = Pick<HandoverService, 'overdueCounts'>;

/** Audit actions the indicators count (written by src/features/customers). */
const REVEAL_ACTION = 'customer.revealed';
/**
 * Written by UsersService.offboard when a leaver still holds copies, files or inventory
 * (R-OFFBOARD), with decision "deny" and the leaver's department as its scope (none for a user
 * without a department), the held items in `after.holdings`.
 */
const OFFBOARD_REFUSED_ACTION = 'user.offboard_refused';

/**
 * The computed indicators of a scope for a period [from, to) and an instant `asOf`, read from the
 * ledgers themselves (R-RISK-MONTHLY: the monthly assessment starts from them; R-INSPECT: the
 * inspection looks at the same figures for a project). Each is one small query on the table or
 * the audit events that record it; an indicator whose source does not exist is not shown rather
 * than shown as 0.
 *
 * - copies_issued: controlled copies entered in the ledger (approved) in [from, to);
 * - copies_overdue: copies awaiting signature or issued whose usage period ended before asOf;
 * - copies_lost: copies reported lost in [from, to);
 * - copy_confirmations_expired, handover_confirmations_expired: destructions (and returns of
 *   copies) recorded with a named witness (or keeper) who neither confirmed nor declined them
 *   before they lapsed, the lapse falling in [from, to) and before asOf (R-NO-PAPER,
 *   R-HANDOVER-DESTROY: the two-person rule, witnessed); one closed by a custody transfer did
 *   not lapse;
 * - handover_pending_destruction: handover files confirmed before asOf and not destroyed by then;
 * - handover_past_deadline, handover_delegations_expired: the handover ledger's counts at asOf;
 * - imports: customer imports (not dry runs) that succeeded in [from, to);
 * - exports: customer exports in [from, to), external releases included (a release's download is
 *   recorded as an export carrying the release id);
 * - reveals: `customer.revealed` audit events of the projects in [from, to);
 * - access_denied: refusals in [from, to) whose scope is one of the projects or the department:
 *   every audit event with decision "deny", i.e. the authorizer's route-level `access.denied`
 *   and the services' record-level refusals (copy.*_refused, print_request.*_refused,
 *   handover_file.denied, case.decide_refused, rectification.update_refused…), which carry the
 *   record's scope. A refused offboarding is not an access attempt (the IT admin may offboard;
 *   the leaver's holdings stop it) and is counted by offboarded_with_holdings instead;
 * - offboarded_with_holdings (departments only): the distinct leavers refused offboarding in
 *   [from, to) because they still held copies, files or inventory: refusals scoped to the
 *   department (its own users), and refusals of anyone (a user of another department or of none)
 *   whose held items belong to the department or its projects. A retried offboarding of the same
 *   leaver counts once;
 * - ports_unsealed (departments only): computers of the port register with USB or burner open;
 *   the register keeps the current state, so this is the state when computed;
 * - unusual_reading (R-SECRET, issue 14 §2): the user-days in [from, to) on which one user read
 *   more distinct customers of the projects than ACCESS_LOG_UNUSUAL_DAILY (default 200), from the
 *   access log; a day is the company's local day (the zone's offset at `from`);
 * - rectifications_overdue: open rectifications of the department or its projects whose due date
 *   lies before asOf's local date.
 */
export class IndicatorService {
  constructor(
    private readonly db: Database,
    private readonly handover: HandoverCounts,
    private readonly rectifications: RectificationService,
    private readonly timezone: string,
    /** R-SECRET: more distinct customers than this read by one user in one day is unusual (ACCESS_LOG_UNUSUAL_DAILY). */
    private readonly unusualDailyCustomers = 200,
  ) {}

  async compute(scope: IndicatorScope, from: Date, to: Date, asOf: Date): Promise<Indicator[]> {
    const m = this.db.manager;
    const ids = scope.projectIds;
    const departmentId = scope.departmentId ?? null;
    const none = ids.length === 0;
    const projects = none ? [] : await m.getRepository(Project).find({ where: { id: In(ids) }, select: { id: true, code: true } });
    const projectScopes = projects.map((p) => projectScope(p.code));
    const department = departmentId === null ? null : await m.getRepository(Department).findOneBy({ id: departmentId });
    const deniedScopes = [...projectScopes, ...(department ? [deptScope(department.code)] : [])];

    const copies = () => m.getRepository(ControlledCopy).createQueryBuilder('c').where('c.projectId IN (:...ids)', { ids });
    const auditCount = (action: string, scopes: string[]) =>
      scopes.length === 0
        ? Promise.resolve(0)
        : m
            .getRepository(AuditEvent)
            .createQueryBuilder('e')
            .where('e.action = :action', { action })
            .andWhere('e.scope IN (:...scopes)', { scopes })
            .andWhere('e.at >= :from AND e.at < :to', { from, to })
            .getCount();
    // R-SECRET: every refusal, route-level or record-level (see the list above).
    const deniedCount = (scopes: string[]) =>
      scopes.length === 0
        ? Promise.resolve(0)
        : m
            .getRepository(AuditEvent)
            .createQueryBuilder('e')
            .where('e.decision = :deny', { deny: 'deny' })
            .andWhere('e.action <> :offboard', { offboard: OFFBOARD_REFUSED_ACTION })
            .andWhere('e.scope IN (:...scopes)', { scopes })
            .andWhere('e.at >= :from AND e.at < :to', { from, to })
            .getCount();
    const zero = Promise.resolve(0);
    // Lapsed: never decided (a transfer's closing sets decidedAt), due in the period and before asOf.
    const lapsed = (objectType: string) =>
      m
        .getRepository(TwoPersonConfirmation)
        .createQueryBuilder('k')
        .where('k.objectType = :objectType', { objectType })
        .andWhere('k.projectId IN (:...ids)', { ids })
        .andWhere('k.state IN (:...open)', { open: ['pending', 'expired'] })
        .andWhere('k.decidedAt IS NULL')
        .andWhere('k.dueAt >= :from AND k.dueAt < :to AND k.dueAt < :asOf', { from, to, asOf })
        .getCount();

    const [issued, overdue, lost, pending, handover, imports, exports, reveals, denied, leavers, ports, rectOverdue, copyLapsed, handoverLapsed, unusual] = await Promise.all([
      none ? zero : copies().andWhere('c.issuedAt >= :from AND c.issuedAt < :to', { from, to }).getCount(),
      none ? zero : copies().andWhere('c.status IN (:...st)', { st: ['issued', 'awaiting_signature'] }).andWhere('c.expiresAt < :asOf', { asOf }).getCount(),
      none ? zero : copies().andWhere('c.lostAt >= :from AND c.lostAt < :to', { from, to }).getCount(),
      none
        ? zero
        : m
            .getRepository(HandoverFile)
            .createQueryBuilder('f')
            .where('f.projectId IN (:...ids)', { ids })
            .andWhere('f.confirmedAt < :asOf', { asOf })
            .andWhere('(f.destroyedAt IS NULL OR f.destroyedAt >= :asOf)', { asOf })
            .getCount(),
      this.handover.overdueCounts({ projectIds: ids }, asOf),
      none
        ? zero
        : m
            .getRepository(CustomerImport)
            .createQueryBuilder('i')
            .where('i.projectId IN (:...ids)', { ids })
            .andWhere('i.status = :ok AND i.dryRun = :dry', { ok: 'succeeded', dry: false })
            .andWhere('i.finishedAt >= :from AND i.finishedAt < :to', { from, to })
            .getCount(),
      none
        ? zero
        : m
            .getRepository(CustomerExport)
            .createQueryBuilder('x')
            .where('x.projectId IN (:...ids)', { ids })
            .andWhere('x.createdAt >= :from AND x.createdAt < :to', { from, to })
            .getCount(),
      auditCount(REVEAL_ACTION, projectScopes),
      deniedCount(deniedScopes),
      department === null ? Promise.resolve(null) : this.leaversWithHoldings(m, department, ids, from, to),
      department === null
        ? Promise.resolve(null)
        : m
            .getRepository(PortRecord)
            .createQueryBuilder('p')
            .where('p.departmentId = :d', { d: department.id })
            .andWhere(new Brackets((w) => w.where('p.usbStatus = :open', { open: 'open' }).orWhere('p.burnerStatus = :open', { open: 'open' })))
            .getCount(),
      this.rectifications.countOverdue({ departmentId, projectIds: ids }, localDate(asOf, this.timezone)),
      none ? zero : lapsed('controlled_copy'),
      none ? zero : lapsed('handover_file'),
      none ? zero : this.unusualReading(m, ids, from, to),
    ]);

    const out: Indicator[] = [
      { ...DEFS.copies_issued, value: issued },
      { ...DEFS.copies_overdue, value: overdue },
      { ...DEFS.copies_lost, value: lost },
      { ...DEFS.copy_confirmations_expired, value: copyLapsed },
      { ...DEFS.handover_pending_destruction, value: pending },
      { ...DEFS.handover_past_deadline, value: handover.destructionOverdue },
      { ...DEFS.handover_delegations_expired, value: handover.delegationsExpiredUnrevoked },
      { ...DEFS.handover_confirmations_expired, value: handoverLapsed },
      { ...DEFS.imports, value: imports },
      { ...DEFS.exports, value: exports },
      { ...DEFS.reveals, value: reveals },
      { ...DEFS.access_denied, value: denied },
    ];
    if (leavers !== null) out.push({ ...DEFS.offboarded_with_holdings, value: leavers });
    if (ports !== null) out.push({ ...DEFS.ports_unsealed, value: ports });
    out.push({ ...DEFS.unusual_reading, value: unusual });
    out.push({ ...DEFS.rectifications_overdue, value: rectOverdue });
    return out;
  }

  /**
   * R-OFFBOARD: the distinct users refused offboarding in [from, to) who are the department's
   * (the refusal's scope) or who held items of the department or its projects (the refusal's
   * `after.holdings`: handover files and controlled copies by project, inventory by department).
   * Refusals are rare, so the month's are read and matched here.
   */
  private async leaversWithHoldings(m: EntityManager, department: Department, projectIds: number[], from: Date, to: Date): Promise<number> {
    const events = await m
      .getRepository(AuditEvent)
      .createQueryBuilder('e')
      .where('e.action = :action', { action: OFFBOARD_REFUSED_ACTION })
      .andWhere('e.at >= :from AND e.at < :to', { from, to })
      .getMany();
    const own = deptScope(department.code);
    const leavers = new Set<string>();
    const others: Array<{ userId: string; holdings: Array<{ kind: string; id: string }> }> = [];
    for (const e of events) {
      if (e.objectId === null) continue;
      if (e.scope === own) {
        leavers.add(e.objectId);
        continue;
      }
      const raw = (e.after as { holdings?: unknown } | null)?.holdings;
      const holdings = Array.isArray(raw) ? raw.filter((h): h is { kind: string; id: string } => typeof h?.kind === 'string' && typeof h?.id === 'string') : [];
      if (holdings.length) others.push({ userId: e.objectId, holdings });
    }
    if (!others.length) return leavers.size;
    const idsOf = (kind: string) => [...new Set(others.flatMap((o) => o.holdings.filter((h) => h.kind === kind).map((h) => h.id)))];
    const fileIds = idsOf('handover_file').map(Number).filter(Number.isSafeInteger);
    const serials = idsOf('controlled_copy');
    const itemIds = idsOf('inventory_keeper').map(Number).filter(Number.isSafeInteger);
    const mine = new Set<string>();
    const [files, copies, items] = await Promise.all([
      fileIds.length && projectIds.length ? m.getRepository(HandoverFile).find({ where: { id: In(fileIds), projectId: In(projectIds) }, select: { id: true } }) : [],
      serials.length && projectIds.length ? m.getRepository(ControlledCopy).find({ where: { serial: In(serials), projectId: In(projectIds) }, select: { id: true, serial: true } }) : [],
      itemIds.length ? m.getRepository(InventoryItem).find({ where: { id: In(itemIds), departmentId: department.id }, select: { id: true } }) : [],
    ]);
    for (const f of files) mine.add(`handover_file:${f.id}`);
    for (const c of copies) mine.add(`controlled_copy:${c.serial}`);
    for (const i of items) mine.add(`inventory_keeper:${i.id}`);
    for (const o of others) if (o.holdings.some((h) => mine.has(`${h.kind}:${h.id}`))) leavers.add(o.userId);
    return leavers.size;
  }

  /**
   * R-SECRET (issue 14 §2): user-days of unusual reading. Grouped in the database by user and local
   * day over the (projectId, at) index; only the groups above the threshold come back.
   */
  private async unusualReading(m: EntityManager, projectIds: number[], from: Date, to: Date): Promise<number> {
    const w = wallClock(from, this.timezone);
    const offset = Math.round((Date.UTC(w.y, w.m - 1, w.d, w.h, w.mi) - Math.floor(from.getTime() / 60_000) * 60_000) / 60_000);
    const day = this.db.mysql ? `DATE(DATE_ADD(a.at, INTERVAL ${offset} MINUTE))` : `strftime('%Y-%m-%d', a.at, '${offset >= 0 ? '+' : ''}${offset} minutes')`;
    const rows: Array<{ n: number | string }> = await m
      .getRepository(CustomerAccess)
      .createQueryBuilder('a')
      .select('a.userId', 'userId')
      .addSelect(day, 'day')
      .addSelect('COUNT(DISTINCT a.customerId)', 'n')
      .where('a.projectId IN (:...projectIds)', { projectIds })
      .andWhere('a.at >= :from AND a.at < :to', { from, to })
      .groupBy('a.userId')
      .addGroupBy(day)
      .having('COUNT(DISTINCT a.customerId) > :limit', { limit: this.unusualDailyCustomers })
      .getRawMany();
    return rows.length;
  }

  /** The scope of a department: its id and its projects. */
  async departmentScope(departmentId: number): Promise<IndicatorScope> {
    const projects = await this.db.manager.getRepository(Project).find({ where: { departmentId }, select: { id: true } });
    return { departmentId, projectIds: projects.map((p) => p.id) };
  }
}
