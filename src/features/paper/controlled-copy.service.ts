import { EntityManager, FindOptionsWhere, In, LessThan, MoreThanOrEqual } from 'typeorm';
import { AuditActor, AuditWriter } from '../../audit/audit-writer';
import type { Config } from '../../config/env';
import { Database } from '../../db/database';
import { ControlledCopy, CopyStatus, CopyViewStatus, DestructionMethod } from '../../entities/ControlledCopy';
import { Customer } from '../../entities/Customer';
import { Department } from '../../entities/Department';
import { PrintRequest } from '../../entities/PrintRequest';
import { Project } from '../../entities/Project';
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
import { refuse } from './refusal';
import { copySerialPrefix, SerialAllocator } from './serials';

type Acting = AuditActor & { id: number };

/** Stored states in which the copy is out with its recipient (overdue once past its expiry). */
export const OUT_STATUSES: CopyStatus[] = ['awaiting_signature', 'issued'];
/** States from which a copy can still be destroyed or reported lost (a returned copy is with its keeper). */
const LOCATED_STATUSES: CopyStatus[] = ['awaiting_signature', 'issued', 'returned'];

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
  witness: UserRef | null;
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

/** overdue: out with the recipient (awaiting signature or issued) past its expiry (R-NO-PAPER usage period). */
export function viewStatus(c: Pick<ControlledCopy, 'status' | 'expiresAt'>, now: Date): CopyViewStatus {
  return OUT_STATUSES.includes(c.status) && c.expiresAt.getTime() < now.getTime() ? 'overdue' : c.status;
}

/** Where-conditions for a listed status, with overdue computed (never stored). */
export function statusWhere(status: CopyViewStatus | undefined, now: Date): FindOptionsWhere<ControlledCopy> {
  if (!status) return {};
  if (status === 'overdue') return { status: In(OUT_STATUSES), expiresAt: LessThan(now) };
  if (OUT_STATUSES.includes(status)) return { status, expiresAt: MoreThanOrEqual(now) };
  return { status };
}

/**
 * The controlled-copy ledger (R-NO-PAPER, R-NO-LEND, R-PENALTY, §5.2.1): copies are issued by
 * an approved print request, signed for by their recipient, never passed on, and leave the
 * ledger only by return to a keeper, destruction before a witness, or a loss report that opens
 * an incident. Every transition is a conditional update on the stored status (the loser of a
 * race gets 409) with its audit event in the same transaction.
 */
export class ControlledCopyService {
  private readonly serials: SerialAllocator;

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
  }

  // ---- loading and views ------------------------------------------------------------------

  async loadBySerial(serial: string, m: EntityManager = this.db.manager): Promise<ControlledCopy> {
    const c = await m.getRepository(ControlledCopy).findOneBy({ serial });
    if (!c) throw new NotFoundError('Controlled copy', serial);
    return c;
  }

  scopeOf(c: Pick<ControlledCopy, 'projectId'>): Promise<string> {
    return this.policy.projectScope(c.projectId);
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
    const views: CopyView[] = [];
    for (const c of copies) {
      const r = requests.get(c.printRequestId);
      views.push({
        serial: c.serial,
        status: viewStatus(c, now),
        project: (await this.scopeOf(c)).slice('project:'.length),
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
        witness: ref(c.witnessUserId),
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

  /** One copy: its recipient, its keeper, or whoever may read the ledger in its project. */
  async viewFor(actor: Acting, c: ControlledCopy): Promise<CopyView> {
    const scope = await this.scopeOf(c);
    const allowed =
      c.holderUserId === actor.id || c.returnedToUserId === actor.id || this.authz.decide(actor.id, scope, { object: 'controlled_copy', action: 'read' }).allowed;
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
      const res = await m.getRepository(ControlledCopy).increment({ id: c.id, status: In(OUT_STATUSES) }, 'printCount', 1);
      if (!res.affected) await this.conflict(c.serial, 'copy_not_out', 'printed');
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

  /** The copy as it is now, for the 409 message of a lost race. */
  private async conflict(serial: string, code: string, doing: string): Promise<never> {
    const now = await this.loadBySerial(serial);
    throw new ConflictError(code, `Copy ${serial} is ${now.status}: it cannot be ${doing}`, { status: now.status });
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
    await this.db.tx(async (m) => {
      const res = await m.getRepository(ControlledCopy).update({ id: c.id, status: 'awaiting_signature' }, { status: 'issued', signedAt: now, updatedAt: now });
      if (!res.affected) await this.conflict(c.serial, 'not_awaiting_signature', 'signed for');
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
   * Return: the recipient hands the copy back to a keeper (a supervisor of the project:
   * controlled_copy:witness there, not the recipient), who then keeps it until it is destroyed.
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
    if (!OUT_STATUSES.includes(c.status)) await this.conflict(c.serial, 'not_returnable', 'returned');
    if (input.keeperUserId === actor.id) {
      throw new ValidationError('The keeper must be someone else', [{ path: 'body.keeperUserId', message: 'the recipient cannot receive their own copy back' }]);
    }
    await this.requireSupervisor(actor, c, scope, input.keeperUserId, 'keeper', 'body.keeperUserId');
    const now = new Date();
    await this.db.tx(async (m) => {
      const res = await m
        .getRepository(ControlledCopy)
        .update({ id: c.id, status: In(OUT_STATUSES) }, { status: 'returned', returnedAt: now, returnedToUserId: input.keeperUserId, updatedAt: now });
      if (!res.affected) await this.conflict(c.serial, 'not_returnable', 'returned');
      await this.audit.append(m, actor, {
        action: 'copy.returned',
        objectType: 'controlled_copy',
        objectId: c.serial,
        scope,
        before: { status: c.status },
        // Free text may quote customer data: it stays out of the immutable trail (R-AUDIT); only that one was given.
        after: { status: 'returned', returnedAt: now, keeperUserId: input.keeperUserId, noteGiven: textGiven(input.note) },
      });
    });
    return this.view(await this.loadBySerial(c.serial));
  }

  /** Who holds the copy now: its keeper once returned, otherwise its recipient. */
  private currentHolder(c: ControlledCopy): number {
    return c.status === 'returned' && c.returnedToUserId !== null ? c.returnedToUserId : c.holderUserId;
  }

  /**
   * Destruction before a witness (§5.2.1): by whoever holds the copy (recipient, or keeper once
   * returned) or a supervisor of the project; the witness is another supervisor of the project
   * (controlled_copy:witness), neither the destroyer nor the recipient nor the keeper. Once only.
   */
  async destroy(actor: Acting, c: ControlledCopy, input: { method: DestructionMethod; note?: string; witnessUserId: number }): Promise<CopyView> {
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
    if (!LOCATED_STATUSES.includes(c.status)) await this.conflict(c.serial, 'not_destroyable', 'destroyed');
    const parties = new Set([actor.id, c.holderUserId, ...(c.returnedToUserId !== null ? [c.returnedToUserId] : [])]);
    if (parties.has(input.witnessUserId)) {
      throw new ValidationError('The witness must be a third person', [
        { path: 'body.witnessUserId', message: 'the witness must be neither the person destroying the copy nor its recipient or keeper' },
      ]);
    }
    await this.requireSupervisor(actor, c, scope, input.witnessUserId, 'witness', 'body.witnessUserId');
    const now = new Date();
    await this.db.tx(async (m) => {
      const res = await m.getRepository(ControlledCopy).update(
        { id: c.id, status: In(LOCATED_STATUSES) },
        { status: 'destroyed', destroyedAt: now, destroyedById: actor.id, destructionMethod: input.method, destructionNote: input.note ?? null, witnessUserId: input.witnessUserId, updatedAt: now },
      );
      if (!res.affected) await this.conflict(c.serial, 'not_destroyable', 'destroyed');
      await this.audit.append(m, actor, {
        action: 'copy.destroyed',
        objectType: 'controlled_copy',
        objectId: c.serial,
        scope,
        before: { status: c.status },
        // The note stays on the copy (destructionNote), not in the trail: only that one was given.
        after: { status: 'destroyed', destroyedAt: now, method: input.method, witnessUserId: input.witnessUserId, noteGiven: textGiven(input.note) },
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
    if (!LOCATED_STATUSES.includes(c.status)) await this.conflict(c.serial, 'not_reportable', 'reported lost');
    const now = new Date();
    const incident = await this.db.tx(async (m) => {
      const res = await m.getRepository(ControlledCopy).update({ id: c.id, status: In(LOCATED_STATUSES) }, { status: 'lost', lostAt: now, lostReportedById: actor.id, updatedAt: now });
      if (!res.affected) await this.conflict(c.serial, 'not_reportable', 'reported lost');
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
   * or destroyed first; a keeper must first see the returned copies they keep destroyed.
   */
  async heldBy(m: EntityManager, userId: number): Promise<Holding[]> {
    const now = new Date();
    const out = await m.getRepository(ControlledCopy).find({ where: { holderUserId: userId, status: In(OUT_STATUSES) }, order: { id: 'ASC' } });
    const kept = await m.getRepository(ControlledCopy).find({ where: { returnedToUserId: userId, status: 'returned' }, order: { id: 'ASC' } });
    return [
      ...out.map((c) => ({ kind: 'controlled_copy', id: c.serial, description: `holds controlled copy ${c.serial} (${viewStatus(c, now)}, expires ${formatDateTime(c.expiresAt, this.config.timezone)} ${this.config.timezone})` })),
      ...kept.map((c) => ({ kind: 'controlled_copy', id: c.serial, description: `keeps returned controlled copy ${c.serial} awaiting destruction` })),
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
    const scope = await this.scopeOf(c);
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
