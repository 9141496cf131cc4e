import { EntityManager, FindOptionsWhere, In } from 'typeorm';
import type { AuditWriter } from '../../audit/audit-writer';
import type { Config } from '../../config/env';
import type { Database } from '../../db/database';
import { ControlledCopy, COPY_STATUSES, COPY_VIEW_STATUSES, CopyViewStatus } from '../../entities/ControlledCopy';
import { PrintRequest } from '../../entities/PrintRequest';
import { TwoPersonConfirmation } from '../../entities/TwoPersonConfirmation';
import { User } from '../../entities/User';
import { ConflictError, ErrorCode, NotFoundError } from '../../errors';
import { formatDateTime } from '../../lib/documents';
import type { Authorizer } from '../../policy/authorizer';
import type { PolicyService } from '../../policy/policy-service';
import { refuse } from '../../policy/refusal';
import type { CustomerService } from '../customers/customer.service';
import type { IncidentService } from '../incidents/incident.service';
import type { NotificationOutbox } from '../notifications/notification.service';
import type { ConfirmationView, TwoPersonConfirmations } from '../confirmations/confirmation.service';
import { ACT, Acting, CopyFilter, CopyView, OUT_STATUSES, pendingOpen, periodWhere, statusWhere, UserRef, viewStatus } from './controlled-copy.views';
import { COPY_SORTS, CopySort } from './paper.schemas';
import { projectIdsOfScope } from './scope-projects';

const rank = (s: CopyViewStatus) => COPY_VIEW_STATUSES.indexOf(s);
/**
 * What each ?sort= orders by: the serial (unique index; CC-YYMM-NNNNN, so its text order is its
 * numbering order), the approval time (indexed), the end of the usage period, and the status as
 * the ledger shows it (viewStatus: overdue, pending and lapsed confirmations computed at :sortNow)
 * ranked in COPY_VIEW_STATUSES order. A CASE gives both databases that order: MariaDB would sort
 * the stored ENUM by its declared order, SQLite the text alphabetically.
 */
const COPY_SORT: Record<(typeof COPY_SORTS)[number], string> = {
  serial: 'c.serial',
  issuedAt: 'c.issuedAt',
  expiresAt: 'c.expiresAt',
  status: `CASE
    WHEN c.pendingAct IS NOT NULL AND c.confirmationDueAt IS NOT NULL THEN
      CASE WHEN c.confirmationDueAt < :sortNow THEN ${rank('confirmation_expired')} WHEN c.pendingAct = 'destruction' THEN ${rank('pending_witness')} ELSE ${rank('pending_receipt')} END
    WHEN c.status IN (${OUT_STATUSES.map((st) => `'${st}'`).join(', ')}) AND c.expiresAt < :sortNow THEN ${rank('overdue')}
    ${COPY_STATUSES.map((st) => `WHEN c.status = '${st}' THEN ${rank(st)}`).join(' ')}
  END`,
};

/** What the parts of the controlled-copy ledger share: built once by ControlledCopyService. */
export interface CopyDeps {
  db: Database;
  audit: AuditWriter;
  authz: Authorizer;
  policy: PolicyService;
  customers: CustomerService;
  incidents: IncidentService;
  outbox: NotificationOutbox;
  config: Config;
  confirmations: TwoPersonConfirmations;
}

/**
 * The read side of the controlled-copy ledger (R-NO-PAPER): loading a copy, its scope, the views
 * the API returns, the ledger list, and the copy as it is now for the 409 of a lost race. The
 * workflow, the printout and the confirmations build on it (ControlledCopyService delegates).
 */
export class CopyQueries {
  protected readonly db: Database;
  protected readonly audit: AuditWriter;
  protected readonly authz: Authorizer;
  protected readonly policy: PolicyService;
  protected readonly config: Config;
  /** The two-person confirmations (shared with the handover files: GET /api/v1/me/confirmations lists both). */
  readonly confirmations: TwoPersonConfirmations;

  constructor(protected readonly deps: CopyDeps) {
    this.db = deps.db;
    this.audit = deps.audit;
    this.authz = deps.authz;
    this.policy = deps.policy;
    this.config = deps.config;
    this.confirmations = deps.confirmations;
  }

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
        requestedAt: r?.createdAt ?? c.issuedAt,
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
  async list(f: CopyFilter & CopySort): Promise<{ items: CopyView[]; total: number }> {
    const now = new Date();
    if (f.projectIds !== null && !f.projectIds.length) return { items: [], total: 0 };
    const base: FindOptionsWhere<ControlledCopy> = {
      ...statusWhere(f.status, now),
      ...(f.projectIds !== null ? { projectId: In(f.projectIds) } : {}),
      ...(f.holderUserId !== undefined ? { holderUserId: f.holderUserId } : {}),
    };
    const where = periodWhere(base, f.from, f.to);
    // Sorted in the query, id breaking ties in the same direction so that pages neither repeat nor
    // skip a row; without ?sort= the newest first, as always.
    const qb = this.db.manager.getRepository(ControlledCopy).createQueryBuilder('c').setFindOptions({ where, take: f.limit, skip: f.offset });
    const dir = f.order === 'desc' ? 'DESC' : 'ASC';
    if (f.sort) qb.orderBy(COPY_SORT[f.sort], dir).addOrderBy('c.id', dir).setParameter('sortNow', now);
    else qb.orderBy('c.id', 'DESC');
    const [rows, total] = await qb.getManyAndCount();
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
    await this.ensureVisible(actor, c);
    return this.view(c);
  }

  /**
   * Every return and destruction recorded on the copy and how each ended (pending, confirmed,
   * declined with its reason, expired), oldest first: the two-person part of the copy's story
   * (R-NO-PAPER), for whoever may see the copy.
   */
  async confirmationsOf(actor: Acting, c: ControlledCopy): Promise<{ items: ConfirmationView[] }> {
    await this.ensureVisible(actor, c);
    const rows = await this.db.manager.getRepository(TwoPersonConfirmation).find({ where: { objectType: 'controlled_copy', objectId: c.serial }, order: { id: 'ASC' } });
    return { items: await this.confirmations.views(rows) };
  }

  /** The recipient, the keeper, the person asked to confirm an act on it, or a reader of the ledger in its project; anyone else 403 (audited). */
  private async ensureVisible(actor: Acting, c: ControlledCopy): Promise<void> {
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
  }

  /** The ledger of a scope ("*", dept:<code>, project:<code>; 404 for an unknown one), controlled_copy:read there checked by the route. */
  async listInScope(scope: string, f: Omit<CopyFilter, 'projectIds'> & CopySort): Promise<{ items: CopyView[]; total: number }> {
    const projectIds = await projectIdsOfScope(this.db.manager, scope);
    return this.list({ ...f, projectIds });
  }

  /** The copy as it is now (read through the transaction's `m`), for the 409 of a lost race. */
  protected async conflict(m: EntityManager, serial: string, code: ErrorCode, doing: string): Promise<never> {
    const current = await this.loadBySerial(serial, m);
    if (pendingOpen(current, new Date())) this.pendingConflict(current, doing);
    throw new ConflictError(code, `Copy ${serial} is ${current.status}: it cannot be ${doing}`, { status: current.status });
  }

  /** R-NO-PAPER: nothing happens to a copy while its witness or keeper is asked to confirm a destruction or a return. */
  protected pendingConflict(c: ControlledCopy, doing: string): never {
    const act = c.pendingAct!;
    throw new ConflictError(
      'confirmation_pending',
      `Copy ${c.serial} has a ${act} awaiting its ${ACT[act].role}'s confirmation until ${formatDateTime(c.confirmationDueAt!, this.config.timezone)} (${this.config.timezone}): it cannot be ${doing} meanwhile`,
      { status: c.status, pendingAct: act, confirmationId: c.confirmationId, confirmationDueAt: c.confirmationDueAt },
    );
  }
}
