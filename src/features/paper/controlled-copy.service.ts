import { EntityManager, FindOptionsWhere, In, IsNull, LessThan, MoreThanOrEqual, Not } from 'typeorm';
import { AuditActor, AuditWriter } from '../../audit/audit-writer';
import type { Config } from '../../config/env';
import { Database } from '../../db/database';
import { ControlledCopy, CopyStatus, CopyViewStatus, DestructionMethod, PendingAct } from '../../entities/ControlledCopy';
import { Customer } from '../../entities/Customer';
import { Department } from '../../entities/Department';
import { PrintRequest } from '../../entities/PrintRequest';
import { Project } from '../../entities/Project';
import { TwoPersonConfirmation } from '../../entities/TwoPersonConfirmation';
import { User } from '../../entities/User';
import { ConflictError, NotFoundError, ValidationError } from '../../errors';
import { Column, formatDateTime, renderControlledCopyPdf } from '../../lib/documents';
import { Authorizer } from '../../policy/authorizer';
import { PolicyService } from '../../policy/policy-service';
import { deptScope } from '../../policy/scope';
import { CustomerService } from '../customers/customer.service';
import { maskIdNumber, maskPhone } from '../customers/personal-data';
import type { Holding } from '../holdings/holdings-registry';
import { IncidentService } from '../incidents/incident.service';
import type { NotificationOutbox } from '../notifications/outbox';
import { ConfirmationView, TwoPersonConfirmations } from './confirmations';
import { refuse } from './refusal';
import { copySerialPrefix, SerialAllocator } from './serials';

type Acting = AuditActor & { id: number };

/** Stored states in which the copy is out with its recipient (overdue once past its expiry). */
export const OUT_STATUSES: CopyStatus[] = ['awaiting_signature', 'issued'];
/** States from which a copy can still be destroyed or reported lost (a returned copy is with its keeper). */
const LOCATED_STATUSES: CopyStatus[] = ['awaiting_signature', 'issued', 'returned'];
/**
 * SQL: no two-person act awaits its second person (none recorded, or the one recorded lapsed).
 * Every transition of a copy is conditional on it, so nothing happens to a copy while its
 * witness or keeper is asked to confirm (R-NO-PAPER).
 */
const IDLE_SQL = '(pendingAct IS NULL OR confirmationDueAt < :now)';
/** Destroyed at most this far in the future of the server's clock (clock skew of the destroyer's device). */
const CLOCK_SKEW_MS = 5 * 60 * 1000;

/** The two acts of a copy that a second person confirms: its confirmation kind, who confirms, the state (and audit action) it completes in. */
const ACT = {
  destruction: { kind: 'copy_destruction', role: 'witness', done: 'destroyed' },
  return: { kind: 'copy_return', role: 'keeper', done: 'returned' },
} as const;

/** A two-person act awaits its second person and has not lapsed. */
export function pendingOpen(c: Pick<ControlledCopy, 'pendingAct' | 'confirmationDueAt'>, now: Date): boolean {
  return c.pendingAct !== null && c.confirmationDueAt !== null && c.confirmationDueAt.getTime() >= now.getTime();
}

const WITNESS = { object: 'controlled_copy', action: 'witness' } as const;
const REVEAL = { object: 'customer', action: 'reveal' } as const;

export const METHOD_LABEL: Record<DestructionMethod, string> = {
  shredding: '碎紙 shredding',
  pulping: '打漿 pulping',
  burning: '焚燒 burning',
  other: '其他 other',
};

export interface UserRef {
  id: number;
  username: string;
  displayName: string;
}

export interface CopyView {
  serial: string;
  /** The stored state, or `overdue` (awaiting_signature/issued past expiresAt). */
  status: CopyViewStatus;
  project: string;
  printRequestId: number;
  purpose: string;
  recordCount: number;
  copyNumber: number;
  copiesTotal: number;
  holder: UserRef | null;
  issuedAt: Date;
  expiresAt: Date;
  signedAt: Date | null;
  returnedAt: Date | null;
  returnedTo: UserRef | null;
  destroyedAt: Date | null;
  destroyedBy: UserRef | null;
  destructionMethod: DestructionMethod | null;
  destructionNote: string | null;
  /** Where it was destroyed. */
  destructionPlace: string | null;
  witness: UserRef | null;
  /** When the witness confirmed the destruction (R-NO-PAPER: witnessed, not asserted). */
  witnessConfirmedAt: Date | null;
  /** When the keeper confirmed receiving the returned copy. */
  keeperConfirmedAt: Date | null;
  /** The destruction or return awaiting its witness or keeper (state pending), or lapsed (expired). */
  confirmation: ConfirmationView | null;
  lostAt: Date | null;
  lostReportedBy: UserRef | null;
  incidentId: number | null;
  /** How many times the printout was downloaded (each print is numbered on its pages). */
  printCount: number;
}

export interface CopyFilter {
  projectIds: number[] | null;
  status?: CopyViewStatus;
  holderUserId?: number;
  limit: number;
  offset: number;
}

/**
 * Whether a free text was given. Notes and descriptions may quote customer data (a phone, a
 * name): they stay in the record; the immutable audit trail records only that one was given
 * (R-AUDIT), as incidents and cases do.
 */
export const textGiven = (s: string | null | undefined): boolean => typeof s === 'string' && s.trim() !== '';

/**
 * What the ledger shows (R-NO-PAPER): pending_witness / pending_receipt while a destruction or a
 * return awaits its second person, confirmation_expired once that lapsed (the copy is where it
 * was; its holder starts again); otherwise overdue when out with the recipient (awaiting
 * signature or issued) past its expiry; otherwise the stored state.
 */
export function viewStatus(c: Pick<ControlledCopy, 'status' | 'expiresAt' | 'pendingAct' | 'confirmationDueAt'>, now: Date): CopyViewStatus {
  if (c.pendingAct !== null && c.confirmationDueAt !== null) {
    if (!pendingOpen(c, now)) return 'confirmation_expired';
    return c.pendingAct === 'destruction' ? 'pending_witness' : 'pending_receipt';
  }
  return OUT_STATUSES.includes(c.status) && c.expiresAt.getTime() < now.getTime() ? 'overdue' : c.status;
}

/** Where-conditions for a listed status, with the computed ones (overdue, pending, expired) as viewStatus computes them. */
export function statusWhere(status: CopyViewStatus | undefined, now: Date): FindOptionsWhere<ControlledCopy> {
  if (!status) return {};
  if (status === 'pending_witness') return { pendingAct: 'destruction', confirmationDueAt: MoreThanOrEqual(now) };
  if (status === 'pending_receipt') return { pendingAct: 'return', confirmationDueAt: MoreThanOrEqual(now) };
  if (status === 'confirmation_expired') return { pendingAct: Not(IsNull()), confirmationDueAt: LessThan(now) };
  if (status === 'overdue') return { status: In(OUT_STATUSES), expiresAt: LessThan(now), pendingAct: IsNull() };
  if (OUT_STATUSES.includes(status)) return { status, expiresAt: MoreThanOrEqual(now), pendingAct: IsNull() };
  return { status, pendingAct: IsNull() };
}

/**
 * The controlled-copy ledger (R-NO-PAPER, R-NO-LEND, R-PENALTY, §5.2.1): copies are issued by
 * an approved print request, signed for by their recipient, never passed on, and leave the
 * ledger only by return to a keeper, destruction before a witness, or a loss report that opens
 * an incident. A return and a destruction are two acts by two people: one records it naming the
 * keeper or witness, who confirms it (or declines it) from their own session; until then the copy
 * is where it was. Every transition is a conditional update on the stored status (the loser of a
 * race gets 409) with its audit event in the same transaction.
 */
export class ControlledCopyService {
  private readonly serials: SerialAllocator;
  /** The two-person confirmations (shared with the handover files: GET /api/v1/me/confirmations lists both). */
  readonly confirmations: TwoPersonConfirmations;

  constructor(
    private readonly db: Database,
    private readonly audit: AuditWriter,
    private readonly authz: Authorizer,
    private readonly policy: PolicyService,
    private readonly customers: CustomerService,
    private readonly incidents: IncidentService,
    private readonly outbox: NotificationOutbox,
    private readonly config: Config,
  ) {
    this.serials = new SerialAllocator(db);
    this.confirmations = new TwoPersonConfirmations(db, policy, outbox, config.confirmationTtlHours, config.timezone);
  }

  // ---- loading and views ------------------------------------------------------------------

  async loadBySerial(serial: string, m: EntityManager = this.db.manager): Promise<ControlledCopy> {
    const c = await m.getRepository(ControlledCopy).findOneBy({ serial });
    if (!c) throw new NotFoundError('Controlled copy', serial);
    return c;
  }

  /** The copy's project scope; inside a transaction pass its `m` (the project may have to be read). */
  scopeOf(c: Pick<ControlledCopy, 'projectId'>, m?: EntityManager): Promise<string> {
    return this.policy.projectScope(c.projectId, m);
  }

  async userRefs(ids: Array<number | null>, m: EntityManager = this.db.manager): Promise<Map<number, UserRef>> {
    const wanted = [...new Set(ids.filter((i): i is number => i !== null))];
    if (!wanted.length) return new Map();
    const users = await m.getRepository(User).find({ where: { id: In(wanted) }, select: { id: true, username: true, displayName: true } });
    return new Map(users.map((u) => [u.id, { id: u.id, username: u.username, displayName: u.displayName }]));
  }

  async views(copies: ControlledCopy[], now = new Date(), m: EntityManager = this.db.manager): Promise<CopyView[]> {
    if (!copies.length) return [];
    const requestIds = [...new Set(copies.map((c) => c.printRequestId))];
    const requests = new Map((await m.getRepository(PrintRequest).findBy({ id: In(requestIds) })).map((r) => [r.id, r]));
    const users = await this.userRefs(
      copies.flatMap((c) => [c.holderUserId, c.returnedToUserId, c.destroyedById, c.witnessUserId, c.lostReportedById]),
      m,
    );
    const ref = (id: number | null) => (id === null ? null : (users.get(id) ?? null));
    const pendingIds = copies.filter((c) => c.pendingAct !== null && c.confirmationId !== null).map((c) => c.confirmationId!);
    const pending = pendingIds.length ? await m.getRepository(TwoPersonConfirmation).findBy({ id: In(pendingIds) }) : [];
    const confirmations = new Map((await this.confirmations.views(pending, now, m)).map((v) => [v.id, v]));
    const views: CopyView[] = [];
    for (const c of copies) {
      const r = requests.get(c.printRequestId);
      views.push({
        serial: c.serial,
        status: viewStatus(c, now),
        project: (await this.scopeOf(c, m)).slice('project:'.length),
        printRequestId: c.printRequestId,
        purpose: r?.purpose ?? '',
        recordCount: r?.recordIds?.length ?? 0,
        copyNumber: c.copyNumber,
        copiesTotal: c.copiesTotal,
        holder: ref(c.holderUserId),
        issuedAt: c.issuedAt,
        expiresAt: c.expiresAt,
        signedAt: c.signedAt,
        returnedAt: c.returnedAt,
        returnedTo: ref(c.returnedToUserId),
        destroyedAt: c.destroyedAt,
        destroyedBy: ref(c.destroyedById),
        destructionMethod: c.destructionMethod,
        destructionNote: c.destructionNote,
        destructionPlace: c.destructionPlace,
        witness: ref(c.witnessUserId),
        witnessConfirmedAt: c.witnessConfirmedAt,
        keeperConfirmedAt: c.keeperConfirmedAt,
        confirmation: c.pendingAct !== null && c.confirmationId !== null ? (confirmations.get(c.confirmationId) ?? null) : null,
        lostAt: c.lostAt,
        lostReportedBy: ref(c.lostReportedById),
        incidentId: c.incidentId,
        printCount: c.printCount,
      });
    }
    return views;
  }

  async view(c: ControlledCopy, now = new Date()): Promise<CopyView> {
    return (await this.views([c], now))[0];
  }

  /** The ledger (controlled_copy:read in the listed scope, checked by the route). */
  async list(f: CopyFilter): Promise<{ items: CopyView[]; total: number }> {
    const now = new Date();
    if (f.projectIds !== null && !f.projectIds.length) return { items: [], total: 0 };
    const where: FindOptionsWhere<ControlledCopy> = {
      ...statusWhere(f.status, now),
      ...(f.projectIds !== null ? { projectId: In(f.projectIds) } : {}),
      ...(f.holderUserId !== undefined ? { holderUserId: f.holderUserId } : {}),
    };
    const [rows, total] = await this.db.manager.getRepository(ControlledCopy).findAndCount({ where, order: { id: 'DESC' }, take: f.limit, skip: f.offset });
    return { items: await this.views(rows, now), total };
  }

  /** The copies the user holds (by default only those still out with them), overdue computed. */
  async mine(actor: Acting, all: boolean): Promise<{ items: CopyView[] }> {
    const rows = await this.db.manager.getRepository(ControlledCopy).find({
      where: { holderUserId: actor.id, ...(all ? {} : { status: In(OUT_STATUSES) }) },
      order: { id: 'DESC' },
    });
    return { items: await this.views(rows) };
  }

  /** One copy: its recipient, its keeper, the witness or keeper asked to confirm an act on it, or whoever may read the ledger in its project. */
  async viewFor(actor: Acting, c: ControlledCopy): Promise<CopyView> {
    const scope = await this.scopeOf(c);
    const confirmer = c.confirmationId !== null && (await this.confirmations.load(c.confirmationId))?.confirmerId === actor.id;
    const allowed =
      c.holderUserId === actor.id ||
      c.returnedToUserId === actor.id ||
      confirmer ||
      this.authz.decide(actor.id, scope, { object: 'controlled_copy', action: 'read' }).allowed;
    if (!allowed) {
      await refuse(this.db, this.audit, actor, 'not_visible', `Only the recipient of ${c.serial}, its keeper, or a reader of the ledger of ${scope} may see it`, {
        action: 'copy.read_refused',
        objectType: 'controlled_copy',
        objectId: c.serial,
        scope,
        reason: 'neither the recipient nor a ledger reader',
      });
    }
    return this.view(c);
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

  // ---- the printout -----------------------------------------------------------------------

  /**
   * R-NO-PAPER: the printout of a copy, for its recipient only, while the copy is out with
   * them and within its usage period. Phones and ID numbers are printed in clear only if the
   * request asked for them AND the recipient may reveal them in the project now (customer:reveal);
   * otherwise masked as in every customer view. Each render is audited.
   *
   * A reprint is allowed (a jammed printer) but never silent: each download takes the next print
   * number of the copy (printCount, counted in the same transaction as its audit event), and
   * every page's footer says 第 n 次打印 / print n, so a second paper under one serial shows on
   * the paper and in the ledger.
   */
  async render(actor: Acting, c: ControlledCopy): Promise<Buffer> {
    const scope = await this.scopeOf(c);
    if (c.holderUserId !== actor.id) {
      await refuse(this.db, this.audit, actor, 'not_recipient', `Only the recipient of ${c.serial} may print it`, {
        action: 'copy.render_refused',
        objectType: 'controlled_copy',
        objectId: c.serial,
        scope,
        reason: 'not the recipient',
      });
    }
    const now = new Date();
    if (!OUT_STATUSES.includes(c.status)) throw new ConflictError('copy_not_out', `Copy ${c.serial} is ${c.status}: it can no longer be printed`);
    if (pendingOpen(c, now)) this.pendingConflict(c, 'printed');
    if (c.expiresAt.getTime() <= now.getTime()) {
      throw new ConflictError('copy_expired', `The usage period of ${c.serial} ended at ${formatDateTime(c.expiresAt, this.config.timezone)} (${this.config.timezone}): return or destroy it`);
    }
    const r = await this.db.manager.getRepository(PrintRequest).findOneByOrFail({ id: c.printRequestId });
    const printPersonal = Boolean(r.includePersonal) && this.authz.decide(actor.id, scope, REVEAL).allowed;
    const ids = r.recordIds ?? [];
    const customers = ids.length
      ? await this.db.manager.getRepository(Customer).find({ where: { id: In(ids), projectId: c.projectId }, order: { id: 'ASC' } })
      : [];
    const users = await this.userRefs([c.holderUserId, r.decidedById]);
    const holder = users.get(c.holderUserId)!;
    const approver = r.decidedById === null ? null : users.get(r.decidedById);
    const columns: Column[] = [
      { key: 'no', zh: '序號', en: 'No.', width: 0.4 },
      { key: 'name', zh: '姓名', en: 'Name', width: 1 },
      { key: 'unit', zh: '房號', en: 'Unit', width: 1.2 },
      { key: 'phones', zh: '電話', en: 'Phones', width: 1.6 },
      { key: 'idNumber', zh: '證件號碼', en: 'ID number', width: 1.4 },
    ];
    const rows = customers.map((cu, i) => {
      const p = this.customers.decryptPersonal(cu, ['phones', 'idNumber']);
      return {
        no: i + 1,
        name: cu.name,
        unit: cu.unit,
        phones: (printPersonal ? p.phones : p.phones.map(maskPhone)).join(', '),
        idNumber: p.idNumber ? (printPersonal ? p.idNumber : maskIdNumber(p.idNumber)) : '',
      };
    });
    // The print number is taken (and audited) before rendering, so two simultaneous downloads get
    // n and n+1; the conditional update also loses to a return or destruction that got in first.
    const printNumber = await this.db.tx(async (m) => {
      const res = await m
        .createQueryBuilder()
        .update(ControlledCopy)
        .set({ printCount: () => 'printCount + 1' })
        .where(`id = :id AND status IN (:...out) AND ${IDLE_SQL}`, { id: c.id, out: OUT_STATUSES, now })
        .execute();
      if (!res.affected) await this.conflict(m, c.serial, 'copy_not_out', 'printed');
      const { printCount } = await m.getRepository(ControlledCopy).findOneOrFail({ where: { id: c.id }, select: { id: true, printCount: true } });
      await this.audit.append(m, actor, {
        action: 'copy.rendered',
        objectType: 'controlled_copy',
        objectId: c.serial,
        scope,
        decision: 'allow',
        after: { records: rows.length, personalPrinted: printPersonal, print: printCount },
      });
      return printCount;
    });
    return renderControlledCopyPdf({
      serial: c.serial,
      recipientName: holder.displayName,
      recipientUsername: holder.username,
      expiresAt: c.expiresAt,
      issuedAt: c.issuedAt,
      purpose: r.purpose,
      approvedBy: approver ? `${approver.displayName} (${approver.username})` : '',
      copyNumber: c.copyNumber,
      copiesTotal: c.copiesTotal,
      columns,
      rows,
      printNumber,
      timezone: this.config.timezone,
    });
  }

  // ---- transitions ------------------------------------------------------------------------

  /** The copy as it is now (read through the transaction's `m`), for the 409 of a lost race. */
  private async conflict(m: EntityManager, serial: string, code: string, doing: string): Promise<never> {
    const current = await this.loadBySerial(serial, m);
    if (pendingOpen(current, new Date())) this.pendingConflict(current, doing);
    throw new ConflictError(code, `Copy ${serial} is ${current.status}: it cannot be ${doing}`, { status: current.status });
  }

  /** R-NO-PAPER: nothing happens to a copy while its witness or keeper is asked to confirm a destruction or a return. */
  private pendingConflict(c: ControlledCopy, doing: string): never {
    const act = c.pendingAct!;
    throw new ConflictError(
      'confirmation_pending',
      `Copy ${c.serial} has a ${act} awaiting its ${ACT[act].role}'s confirmation until ${formatDateTime(c.confirmationDueAt!, this.config.timezone)} (${this.config.timezone}): it cannot be ${doing} meanwhile`,
      { status: c.status, pendingAct: act, confirmationId: c.confirmationId, confirmationDueAt: c.confirmationDueAt },
    );
  }

  /** R-NO-PAPER: the recipient signs for the copy on receipt (awaiting_signature → issued). */
  async sign(actor: Acting, c: ControlledCopy): Promise<CopyView> {
    const scope = await this.scopeOf(c);
    if (c.holderUserId !== actor.id) {
      await refuse(this.db, this.audit, actor, 'not_recipient', `Only the recipient of ${c.serial} can sign for it`, {
        action: 'copy.sign_refused',
        objectType: 'controlled_copy',
        objectId: c.serial,
        scope,
        reason: 'not the recipient',
      });
    }
    const now = new Date();
    if (c.status === 'awaiting_signature' && pendingOpen(c, now)) this.pendingConflict(c, 'signed for');
    await this.db.tx(async (m) => {
      const res = await m
        .createQueryBuilder()
        .update(ControlledCopy)
        .set({ status: 'issued', signedAt: now, updatedAt: now })
        .where(`id = :id AND status = :status AND ${IDLE_SQL}`, { id: c.id, status: 'awaiting_signature', now })
        .execute();
      if (!res.affected) await this.conflict(m, c.serial, 'not_awaiting_signature', 'signed for');
      await this.audit.append(m, actor, {
        action: 'copy.signed',
        objectType: 'controlled_copy',
        objectId: c.serial,
        scope,
        before: { status: 'awaiting_signature' },
        after: { status: 'issued', signedAt: now },
      });
    });
    return this.view(await this.loadBySerial(c.serial));
  }

  /**
   * R-NO-LEND: a copy never changes holder. Every attempt (transfer, or a change of the copy
   * record) is recorded with the holder it would have gone to, and refused, whoever asks.
   */
  async refuseChange(actor: AuditActor, c: ControlledCopy, attempted: { via: 'transfer' | 'patch'; toUserId: number | null; fields: string[] }): Promise<never> {
    const scope = await this.scopeOf(c);
    return refuse(
      this.db,
      this.audit,
      actor,
      'no_lending',
      `Controlled copy ${c.serial} cannot be passed to anyone else (R-NO-LEND): it stays with its recipient until returned or destroyed`,
      {
        action: 'copy.transfer_refused',
        objectType: 'controlled_copy',
        objectId: c.serial,
        scope,
        reason: 'a controlled copy cannot change holder',
        after: { via: attempted.via, holderUserId: c.holderUserId, attemptedHolderUserId: attempted.toUserId, fields: attempted.fields },
      },
    );
  }

  /** An active user who may act as keeper or witness in the copy's project (controlled_copy:witness). */
  private async requireSupervisor(actor: Acting, c: ControlledCopy, scope: string, userId: number, role: 'keeper' | 'witness', field: string): Promise<User> {
    const u = await this.db.manager.getRepository(User).findOneBy({ id: userId });
    if (!u || u.status !== 'active') throw new ValidationError(`Unknown ${role}`, [{ path: field, message: `user ${userId} does not exist or is not an active user` }]);
    if (!this.authz.decide(userId, scope, WITNESS).allowed) {
      await refuse(
        this.db,
        this.audit,
        actor,
        `${role}_not_authorized`,
        `User ${u.username} does not hold controlled_copy:witness (the project manager or the department head) in ${scope} and cannot be the ${role} of ${c.serial}`,
        { action: `copy.${role}_refused`, objectType: 'controlled_copy', objectId: c.serial, scope, reason: `user ${userId} lacks controlled_copy:witness`, after: { [`${role}UserId`]: userId } },
        { permission: 'controlled_copy:witness', scope, userId },
      );
    }
    return u;
  }

  /**
   * R-NO-PAPER, R-NO-LEND: the recipient records handing the copy back to a keeper (a supervisor
   * of the project: controlled_copy:witness there, not the recipient). The return completes only
   * when the keeper confirms receipt (confirm('return')): until then the copy stays out with its
   * recipient (pending_receipt), nothing else happens to it, and the keeper is notified.
   */
  async returnCopy(actor: Acting, c: ControlledCopy, input: { keeperUserId: number; note?: string }): Promise<CopyView> {
    const scope = await this.scopeOf(c);
    if (c.holderUserId !== actor.id) {
      await refuse(this.db, this.audit, actor, 'not_recipient', `Only the recipient of ${c.serial} can return it`, {
        action: 'copy.return_refused',
        objectType: 'controlled_copy',
        objectId: c.serial,
        scope,
        reason: 'not the recipient',
      });
    }
    const now = new Date();
    if (!OUT_STATUSES.includes(c.status)) throw new ConflictError('not_returnable', `Copy ${c.serial} is ${c.status}: it cannot be returned`, { status: c.status });
    if (pendingOpen(c, now)) this.pendingConflict(c, 'returned');
    if (input.keeperUserId === actor.id) {
      throw new ValidationError('The keeper must be someone else', [{ path: 'body.keeperUserId', message: 'the recipient cannot receive their own copy back' }]);
    }
    await this.requireSupervisor(actor, c, scope, input.keeperUserId, 'keeper', 'body.keeperUserId');
    await this.db.tx(async (m) => {
      const confirmation = await this.confirmations.open(
        m,
        actor,
        { kind: 'copy_return', objectType: 'controlled_copy', objectId: c.serial, projectId: c.projectId, confirmerId: input.keeperUserId, statusBefore: c.status, note: input.note ?? null },
        now,
      );
      const res = await m
        .createQueryBuilder()
        .update(ControlledCopy)
        .set({ pendingAct: 'return', confirmationId: confirmation.id, confirmationDueAt: confirmation.dueAt, updatedAt: now })
        .where(`id = :id AND status IN (:...out) AND ${IDLE_SQL}`, { id: c.id, out: OUT_STATUSES, now })
        .execute();
      if (!res.affected) await this.conflict(m, c.serial, 'not_returnable', 'returned');
      await this.audit.append(m, actor, {
        action: 'copy.return_requested',
        objectType: 'controlled_copy',
        objectId: c.serial,
        scope,
        before: { status: c.status },
        // Free text may quote customer data: it stays out of the immutable trail (R-AUDIT); only that one was given.
        after: { status: c.status, pendingAct: 'return', keeperUserId: input.keeperUserId, confirmationId: confirmation.id, dueAt: confirmation.dueAt, noteGiven: textGiven(input.note) },
      });
    });
    return this.view(await this.loadBySerial(c.serial));
  }

  /** Who holds the copy now: its keeper once returned, otherwise its recipient. */
  private currentHolder(c: ControlledCopy): number {
    return c.status === 'returned' && c.returnedToUserId !== null ? c.returnedToUserId : c.holderUserId;
  }

  /**
   * Destruction before a witness (R-NO-PAPER, §5.2.1): recorded by whoever holds the copy
   * (recipient, or keeper once returned) or a supervisor of the project, with the method, the
   * time and the place; the witness is another supervisor of the project (controlled_copy:witness),
   * neither the destroyer nor the recipient nor the keeper. It is complete only when the witness
   * confirms it from their own session (confirm('destruction')): until then the copy stays on the
   * ledger as not destroyed (pending_witness) and the witness is notified.
   */
  async destroy(actor: Acting, c: ControlledCopy, input: { method: DestructionMethod; note?: string; place: string; destroyedAt?: Date; witnessUserId: number }): Promise<CopyView> {
    const scope = await this.scopeOf(c);
    const holder = this.currentHolder(c);
    if (actor.id !== holder && !this.authz.decide(actor.id, scope, WITNESS).allowed) {
      await refuse(this.db, this.audit, actor, 'not_holder_or_supervisor', `Only the holder of ${c.serial} or a supervisor of ${scope} (controlled_copy:witness) can destroy it`, {
        action: 'copy.destroy_refused',
        objectType: 'controlled_copy',
        objectId: c.serial,
        scope,
        reason: 'neither the holder nor a supervisor',
      }, { permission: 'controlled_copy:witness', scope });
    }
    const now = new Date();
    if (!LOCATED_STATUSES.includes(c.status)) throw new ConflictError('not_destroyable', `Copy ${c.serial} is ${c.status}: it cannot be destroyed`, { status: c.status });
    if (pendingOpen(c, now)) this.pendingConflict(c, 'destroyed');
    const destroyedAt = input.destroyedAt ?? now;
    if (destroyedAt.getTime() > now.getTime() + CLOCK_SKEW_MS) {
      throw new ValidationError('The destruction cannot be in the future', [{ path: 'body.destroyedAt', message: 'when the copy was destroyed: now or earlier' }]);
    }
    if (destroyedAt.getTime() < c.issuedAt.getTime()) {
      throw new ValidationError('The destruction cannot precede the copy', [{ path: 'body.destroyedAt', message: `not before the copy was issued (${formatDateTime(c.issuedAt, this.config.timezone)})` }]);
    }
    const parties = new Set([actor.id, c.holderUserId, ...(c.returnedToUserId !== null ? [c.returnedToUserId] : [])]);
    if (parties.has(input.witnessUserId)) {
      throw new ValidationError('The witness must be a third person', [
        { path: 'body.witnessUserId', message: 'the witness must be neither the person destroying the copy nor its recipient or keeper' },
      ]);
    }
    await this.requireSupervisor(actor, c, scope, input.witnessUserId, 'witness', 'body.witnessUserId');
    await this.db.tx(async (m) => {
      const confirmation = await this.confirmations.open(
        m,
        actor,
        {
          kind: 'copy_destruction',
          objectType: 'controlled_copy',
          objectId: c.serial,
          projectId: c.projectId,
          confirmerId: input.witnessUserId,
          statusBefore: c.status,
          method: input.method,
          note: input.note ?? null,
          place: input.place,
          actedAt: destroyedAt,
        },
        now,
      );
      const res = await m
        .createQueryBuilder()
        .update(ControlledCopy)
        .set({ pendingAct: 'destruction', confirmationId: confirmation.id, confirmationDueAt: confirmation.dueAt, updatedAt: now })
        .where(`id = :id AND status IN (:...located) AND ${IDLE_SQL}`, { id: c.id, located: LOCATED_STATUSES, now })
        .execute();
      if (!res.affected) await this.conflict(m, c.serial, 'not_destroyable', 'destroyed');
      await this.audit.append(m, actor, {
        action: 'copy.destruction_requested',
        objectType: 'controlled_copy',
        objectId: c.serial,
        scope,
        before: { status: c.status },
        // The note and the place stay on the record, not in the trail: only that they were given.
        after: {
          status: c.status,
          pendingAct: 'destruction',
          method: input.method,
          destroyedAt,
          witnessUserId: input.witnessUserId,
          confirmationId: confirmation.id,
          dueAt: confirmation.dueAt,
          noteGiven: textGiven(input.note),
          placeGiven: textGiven(input.place),
        },
      });
    });
    return this.view(await this.loadBySerial(c.serial));
  }

  /**
   * R-NO-PAPER (two-person rule): the named witness confirms the destruction, or the named keeper
   * the receipt, from their own session; or declines it with a reason. Anyone else is refused
   * (403 not_confirmer, audited). Confirming completes the act (destroyed: the destroyer's method,
   * time and place, the witness and when they confirmed; returned: to the keeper, when they
   * confirmed); declining leaves the copy as it was. Once only, and only before the confirmation
   * lapses (409 otherwise); of a concurrent confirm and decline exactly one wins.
   */
  async decide(actor: Acting, c: ControlledCopy, act: PendingAct, decision: 'confirmed' | 'declined', declineReason?: string): Promise<CopyView> {
    const scope = await this.scopeOf(c);
    const spec = ACT[act];
    // The act the copy waits for, or else the latest of that kind (to say why there is nothing to decide).
    const current = c.pendingAct === act && c.confirmationId !== null ? await this.confirmations.load(c.confirmationId) : null;
    const conf = current ?? (await this.confirmations.latest('controlled_copy', c.serial, spec.kind));
    if (!conf) throw new ConflictError('nothing_to_confirm', `No ${act} of copy ${c.serial} was recorded: there is nothing to confirm`, { status: c.status });
    if (conf.confirmerId !== actor.id) {
      await refuse(this.db, this.audit, actor, 'not_confirmer', `Only the ${spec.role} named for the ${act} of ${c.serial} may confirm or decline it`, {
        action: `copy.${act}_confirmation_refused`,
        objectType: 'controlled_copy',
        objectId: c.serial,
        scope,
        reason: `not the named ${spec.role}`,
        after: { confirmationId: conf.id, decision },
      });
    }
    const now = new Date();
    this.confirmations.ensureOpen(conf, now);
    await this.db.tx(async (m) => {
      await this.confirmations.decide(m, conf, decision, now, declineReason ?? null);
      const cleared = { pendingAct: null, confirmationId: null, confirmationDueAt: null, updatedAt: now };
      const done =
        decision === 'declined'
          ? cleared
          : act === 'destruction'
            ? {
                ...cleared,
                status: 'destroyed' as const,
                destroyedAt: conf.actedAt ?? conf.requestedAt,
                destroyedById: conf.requestedById,
                destructionMethod: conf.method as DestructionMethod,
                destructionNote: conf.note,
                destructionPlace: conf.place,
                witnessUserId: conf.confirmerId,
                witnessConfirmedAt: now,
              }
            : { ...cleared, status: 'returned' as const, returnedAt: conf.requestedAt, returnedToUserId: conf.confirmerId, keeperConfirmedAt: now };
      const res = await m.getRepository(ControlledCopy).update({ id: c.id, confirmationId: conf.id, status: In(act === 'destruction' ? LOCATED_STATUSES : OUT_STATUSES) }, done);
      if (!res.affected) await this.conflict(m, c.serial, 'state_changed', `${spec.done} by this confirmation`);
      if (decision === 'declined') {
        await this.confirmations.notifyDeclined(m, conf, actor);
        await this.audit.append(m, actor, {
          action: `copy.${act}_declined`,
          objectType: 'controlled_copy',
          objectId: c.serial,
          scope,
          // The reason stays on the confirmation, not in the trail (it may quote customer data).
          after: { status: conf.statusBefore, confirmationId: conf.id, requestedById: conf.requestedById, reasonGiven: textGiven(declineReason) },
        });
        return;
      }
      await this.audit.append(m, actor, {
        action: `copy.${spec.done}`,
        objectType: 'controlled_copy',
        objectId: c.serial,
        scope,
        before: { status: conf.statusBefore },
        after:
          act === 'destruction'
            ? {
                status: 'destroyed',
                destroyedAt: conf.actedAt,
                destroyedById: conf.requestedById,
                method: conf.method,
                witnessUserId: conf.confirmerId,
                witnessConfirmedAt: now,
                confirmationId: conf.id,
                noteGiven: textGiven(conf.note),
                placeGiven: textGiven(conf.place),
              }
            : { status: 'returned', returnedAt: conf.requestedAt, keeperUserId: conf.confirmerId, keeperConfirmedAt: now, confirmationId: conf.id, noteGiven: textGiven(conf.note) },
      });
    });
    return this.view(await this.loadBySerial(c.serial));
  }

  /**
   * R-PENALTY (2): a lost copy is a lost written list of customer information. The holder or a
   * supervisor reports it; the copy becomes `lost` and an incident is opened naming the copy and
   * its holder, in the same transaction.
   */
  async reportLost(actor: Acting, c: ControlledCopy, input: { description: string }): Promise<CopyView & { incident: { id: number; type: string; status: string } }> {
    const scope = await this.scopeOf(c);
    const holder = this.currentHolder(c);
    if (actor.id !== holder && !this.authz.decide(actor.id, scope, WITNESS).allowed) {
      await refuse(this.db, this.audit, actor, 'not_holder_or_supervisor', `Only the holder of ${c.serial} or a supervisor of ${scope} can report it lost`, {
        action: 'copy.report_lost_refused',
        objectType: 'controlled_copy',
        objectId: c.serial,
        scope,
        reason: 'neither the holder nor a supervisor',
      }, { permission: 'controlled_copy:witness', scope });
    }
    const now = new Date();
    if (!LOCATED_STATUSES.includes(c.status)) throw new ConflictError('not_reportable', `Copy ${c.serial} is ${c.status}: it cannot be reported lost`, { status: c.status });
    if (pendingOpen(c, now)) this.pendingConflict(c, 'reported lost');
    const incident = await this.db.tx(async (m) => {
      const res = await m
        .createQueryBuilder()
        .update(ControlledCopy)
        // A lapsed destruction or return goes with it: the copy is in the incident now.
        .set({ status: 'lost', lostAt: now, lostReportedById: actor.id, pendingAct: null, confirmationId: null, confirmationDueAt: null, updatedAt: now })
        .where(`id = :id AND status IN (:...located) AND ${IDLE_SQL}`, { id: c.id, located: LOCATED_STATUSES, now })
        .execute();
      if (!res.affected) await this.conflict(m, c.serial, 'not_reportable', 'reported lost');
      const project = await m.getRepository(Project).findOneByOrFail({ id: c.projectId });
      const incident = await this.incidents.openForLostCopy(m, actor, {
        copyId: c.id,
        serial: c.serial,
        projectId: c.projectId,
        departmentId: project.departmentId,
        holderUserId: holder,
        description: `Controlled copy ${c.serial} reported lost: ${input.description}`,
        scope,
      });
      await m.getRepository(ControlledCopy).update({ id: c.id }, { incidentId: incident.id });
      await this.audit.append(m, actor, {
        action: 'copy.lost',
        objectType: 'controlled_copy',
        objectId: c.serial,
        scope,
        // The description may quote customer data: it stays in the incident, not in the trail.
        before: { status: c.status },
        after: { status: 'lost', lostAt: now, holderUserId: holder, incidentId: incident.id },
      });
      return incident;
    });
    const view = await this.view(await this.loadBySerial(c.serial));
    return { ...view, incident: { id: incident.id, type: incident.type, status: incident.status } };
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

  /**
   * One overdue reminder per copy per day to its holder, the project manager(s) of its project
   * and the head(s) of the project's department; the dedupe key makes a rerun of the day a no-op.
   */
  async remindOverdue(m: EntityManager, c: ControlledCopy, dayKey: string): Promise<number> {
    const scope = await this.scopeOf(c, m);
    const project = await m.getRepository(Project).findOneByOrFail({ id: c.projectId });
    const dept = project.departmentId === null ? null : await m.getRepository(Department).findOneBy({ id: project.departmentId });
    const key = `copy.overdue:${c.serial}:${dayKey}`;
    const msg = {
      kind: 'copy.overdue',
      subject: `受控文件 ${c.serial} 已逾期 / Controlled copy ${c.serial} is overdue`,
      body:
        `Controlled copy ${c.serial} (${scope}) passed its usage period on ${formatDateTime(c.expiresAt, this.config.timezone)} ` +
        'and has been neither returned nor destroyed. Return it to a keeper or destroy it before a witness (R-NO-PAPER).',
      objectType: 'controlled_copy',
      objectId: c.serial,
    };
    let written = 0;
    if (await this.outbox.enqueue(m, { ...msg, recipientId: c.holderUserId, dedupeKey: `${key}:user:${c.holderUserId}` })) written++;
    written += await this.outbox.enqueueToRole(m, 'project_manager', scope, { ...msg, dedupeKey: key });
    if (dept) written += await this.outbox.enqueueToRole(m, 'dept_head', deptScope(dept.code), { ...msg, dedupeKey: key });
    return written;
  }
}
