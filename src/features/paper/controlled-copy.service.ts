import { Between, EntityManager, In, LessThan } from 'typeorm';
import type { AuditActor, AuditWriter } from '../../audit/audit-writer';
import type { Config } from '../../config/env';
import type { Database } from '../../db/database';
import { ControlledCopy, DestructionMethod, PendingAct } from '../../entities/ControlledCopy';
import { Department } from '../../entities/Department';
import { PrintRequest } from '../../entities/PrintRequest';
import { Project } from '../../entities/Project';
import { formatDateTime } from '../../lib/documents';
import type { Authorizer } from '../../policy/authorizer';
import type { PolicyService } from '../../policy/policy-service';
import { deptScope } from '../../policy/scope';
import type { CustomerService } from '../customers/customer.service';
import type { Holding } from '../../policy/holdings-registry';
import type { IncidentService } from '../incidents/incident.service';
import type { NotificationOutbox } from '../notifications/notification.service';
import { TwoPersonConfirmations } from '../confirmations/confirmation.service';
import { CopyDecisions } from './controlled-copy-decisions';
import { CopyQueries } from './controlled-copy-queries';
import { CopyRenderer } from './controlled-copy-render';
import type { AccessReader } from '../access-log/access-log.service';
import { CopyWorkflow } from './controlled-copy-workflow';
import { ACT, Acting, CopyView, OUT_STATUSES, pendingOpen, viewStatus } from './controlled-copy.views';
import { copySerialPrefix, SerialAllocator } from './serials';

/** How long before its expiry a copy's holder and supervisors are reminded (R-NO-PAPER: the usage period). */
export const EXPIRING_WITHIN_MS = 2 * 24 * 60 * 60 * 1000;

/**
 * The controlled-copy ledger (R-NO-PAPER, R-NO-LEND, R-PENALTY, §5.2.1): copies are issued by
 * an approved print request, signed for by their recipient, never passed on, and leave the
 * ledger only by return to a keeper, destruction before a witness, or a loss report that opens
 * an incident. A return and a destruction are two acts by two people: one records it naming the
 * keeper or witness, who confirms it (or declines it) from their own session; until then the copy
 * is where it was. Every transition is a conditional update on the stored status (the loser of a
 * race gets 409) with its audit event in the same transaction.
 *
 * This class is the one the context, the routes and the other features use: the reads are its
 * own (CopyQueries), issuing, offboarding and reminders are here, and it delegates the printout
 * (controlled-copy-render.ts), the holder's commands (controlled-copy-workflow.ts) and the second
 * person's decisions (controlled-copy-decisions.ts).
 */
export class ControlledCopyService extends CopyQueries {
  private readonly serials: SerialAllocator;
  private readonly outbox: NotificationOutbox;
  private readonly renderer: CopyRenderer;
  private readonly workflow: CopyWorkflow;
  private readonly decisions: CopyDecisions;

  constructor(
    db: Database,
    audit: AuditWriter,
    authz: Authorizer,
    policy: PolicyService,
    customers: CustomerService,
    incidents: IncidentService,
    outbox: NotificationOutbox,
    config: Config,
    confirmations: TwoPersonConfirmations,
  ) {
    const deps = { db, audit, authz, policy, customers, incidents, outbox, config, confirmations };
    super(deps);
    this.outbox = outbox;
    this.serials = new SerialAllocator(db);
    this.renderer = new CopyRenderer(deps);
    this.workflow = new CopyWorkflow(deps);
    this.decisions = new CopyDecisions(deps);
  }

  // ---- issue (called by the approval, in its transaction) -----------------------------------

  /** Creates the counter row of the month before the approval's transaction locks it. */
  prepareSerials(at: Date): Promise<void> {
    return this.serials.ensure(copySerialPrefix(at, this.config.timezone));
  }

  /**
   * R-NO-PAPER: one copy per requested copy, each with its serial, the recipient (the
   * requester), the usage expiry, awaiting the recipient's signature. Inside the approval's
   * transaction: no approval without its copies, no copy without an approval.
   */
  async issueFor(m: EntityManager, actor: Acting, r: PrintRequest, now: Date, scope: string): Promise<ControlledCopy[]> {
    const serials = await this.serials.take(m, copySerialPrefix(now, this.config.timezone), r.copies);
    const expiresAt = new Date(now.getTime() + r.usageDays * 24 * 60 * 60 * 1000);
    const copies: ControlledCopy[] = [];
    for (const [i, serial] of serials.entries()) {
      const c = m.getRepository(ControlledCopy).create({
        serial,
        printRequestId: r.id,
        projectId: r.projectId,
        copyNumber: i + 1,
        copiesTotal: r.copies,
        holderUserId: r.requestedById,
        status: 'awaiting_signature',
        issuedAt: now,
        expiresAt,
        signedAt: null,
        returnedAt: null,
        returnedToUserId: null,
        destroyedAt: null,
        destroyedById: null,
        destructionMethod: null,
        destructionNote: null,
        witnessUserId: null,
        destructionPlace: null,
        witnessConfirmedAt: null,
        keeperConfirmedAt: null,
        pendingAct: null,
        confirmationId: null,
        confirmationDueAt: null,
        lostAt: null,
        lostReportedById: null,
        incidentId: null,
        printCount: 0,
        createdAt: now,
        updatedAt: now,
      });
      await m.getRepository(ControlledCopy).insert(c);
      await this.audit.append(m, actor, {
        action: 'copy.issued',
        objectType: 'controlled_copy',
        objectId: serial,
        scope,
        after: { printRequestId: r.id, holderUserId: r.requestedById, copy: `${i + 1}/${r.copies}`, expiresAt, status: 'awaiting_signature' },
      });
      copies.push(c);
    }
    return copies;
  }

  // ---- the printout and the transitions (delegated) ----------------------------------------

  render(actor: Acting, c: ControlledCopy, reader?: AccessReader): Promise<Buffer> {
    return this.renderer.render(actor, c, reader);
  }

  sign(actor: Acting, c: ControlledCopy): Promise<CopyView> {
    return this.workflow.sign(actor, c);
  }

  refuseChange(actor: AuditActor, c: ControlledCopy, attempted: { via: 'transfer' | 'patch'; toUserId: number | null; fields: string[] }): Promise<never> {
    return this.workflow.refuseChange(actor, c, attempted);
  }

  returnCopy(actor: Acting, c: ControlledCopy, input: { keeperUserId: number; note?: string }): Promise<CopyView> {
    return this.workflow.returnCopy(actor, c, input);
  }

  destroy(actor: Acting, c: ControlledCopy, input: { method: DestructionMethod; note?: string; place: string; destroyedAt?: Date; witnessUserId: number }): Promise<CopyView> {
    return this.workflow.destroy(actor, c, input);
  }

  decide(actor: Acting, c: ControlledCopy, act: PendingAct, decision: 'confirmed' | 'declined', declineReason?: string): Promise<CopyView> {
    return this.decisions.decide(actor, c, act, decision, declineReason);
  }

  reportLost(actor: Acting, c: ControlledCopy, input: { description: string }): Promise<CopyView & { incident: { id: number; type: string; status: string } }> {
    return this.decisions.reportLost(actor, c, input);
  }

  // ---- offboarding and reminders ------------------------------------------------------------

  /**
   * R-OFFBOARD: copies out with the user (awaiting signature, issued or overdue) must be returned
   * or destroyed first; a keeper must first see the returned copies they keep destroyed. A return
   * or destruction still awaiting its keeper or witness (or lapsed) has not happened: the copy
   * still counts.
   */
  async heldBy(m: EntityManager, userId: number): Promise<Holding[]> {
    const now = new Date();
    const tz = this.config.timezone;
    const out = await m.getRepository(ControlledCopy).find({ where: { holderUserId: userId, status: In(OUT_STATUSES) }, order: { id: 'ASC' } });
    const kept = await m.getRepository(ControlledCopy).find({ where: { returnedToUserId: userId, status: 'returned' }, order: { id: 'ASC' } });
    const pending = (c: ControlledCopy) =>
      c.pendingAct === null || c.confirmationDueAt === null
        ? ''
        : pendingOpen(c, now)
          ? `; its ${c.pendingAct} awaits the ${ACT[c.pendingAct].role}'s confirmation until ${formatDateTime(c.confirmationDueAt, tz)} ${tz}`
          : `; the ${ACT[c.pendingAct].role}'s confirmation of its ${c.pendingAct} lapsed`;
    return [
      ...out.map((c) => ({ kind: 'controlled_copy', id: c.serial, description: `holds controlled copy ${c.serial} (${viewStatus(c, now)}, expires ${formatDateTime(c.expiresAt, tz)} ${tz}${pending(c)})` })),
      ...kept.map((c) => ({ kind: 'controlled_copy', id: c.serial, description: `keeps returned controlled copy ${c.serial} awaiting destruction${pending(c)}` })),
    ];
  }

  /** Copies out with their recipient past their expiry at `now` (the job's due time). */
  overdueAt(now: Date): Promise<ControlledCopy[]> {
    return this.db.manager.getRepository(ControlledCopy).find({ where: { status: In(OUT_STATUSES), expiresAt: LessThan(now) }, order: { id: 'ASC' } });
  }

  /** Copies out with their recipient whose usage period ends within EXPIRING_WITHIN_MS of `now` (not yet past it). */
  expiringAt(now: Date): Promise<ControlledCopy[]> {
    return this.db.manager
      .getRepository(ControlledCopy)
      .find({ where: { status: In(OUT_STATUSES), expiresAt: Between(now, new Date(now.getTime() + EXPIRING_WITHIN_MS)) }, order: { id: 'ASC' } });
  }

  /**
   * One overdue reminder per copy per day to its holder, the project manager(s) of its project
   * and the head(s) of the project's department; the dedupe key makes a rerun of the day a no-op.
   */
  remindOverdue(m: EntityManager, c: ControlledCopy, dayKey: string): Promise<number> {
    return this.remind(m, c, 'copy.overdue', `copy.overdue:${c.serial}:${dayKey}`);
  }

  /** Once per copy, when its usage period ends within two days: the same recipients as the overdue reminder. */
  remindExpiring(m: EntityManager, c: ControlledCopy): Promise<number> {
    return this.remind(m, c, 'copy.expiring', `copy.expiring:${c.serial}`);
  }

  private async remind(m: EntityManager, c: ControlledCopy, kind: 'copy.overdue' | 'copy.expiring', key: string): Promise<number> {
    const scope = await this.scopeOf(c, m);
    const project = await m.getRepository(Project).findOneByOrFail({ id: c.projectId });
    const dept = project.departmentId === null ? null : await m.getRepository(Department).findOneBy({ id: project.departmentId });
    const supervisors = [...this.policy.holdersOf('project_manager', scope), ...(dept ? this.policy.holdersOf('dept_head', deptScope(dept.code)) : [])];
    return this.outbox.enqueueToUsers(m, [...new Set([c.holderUserId, ...supervisors])], {
      kind,
      params: { serial: c.serial, project: project.code, expiresAt: `${formatDateTime(c.expiresAt, this.config.timezone)} (${this.config.timezone})` },
      objectType: 'controlled_copy',
      objectId: c.serial,
      dedupeKey: key,
      scope,
    });
  }
}
