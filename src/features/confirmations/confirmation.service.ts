import { EntityManager, In, LessThan, MoreThanOrEqual } from 'typeorm';
import type { AuditActor } from '../../audit/audit-writer';
import { Database } from '../../db/database';
import { ConfirmationKind, ConfirmationState, TwoPersonConfirmation } from '../../entities/TwoPersonConfirmation';
import { User } from '../../entities/User';
import { ConflictError } from '../../errors';
import { formatDateTime } from '../../lib/documents';
import type { PolicyService } from '../../policy/policy-service';
import type { NotificationOutbox } from '../notifications/notification.service';

const HOUR_MS = 60 * 60 * 1000;

export interface ConfirmerRef {
  id: number;
  username: string;
  displayName: string;
}

/** One two-person confirmation as its parties see it (the requester, the confirmer, a reader of the ledger). */
export interface ConfirmationView {
  id: number;
  kind: ConfirmationKind;
  /** What the second person is: the witness of a destruction, the keeper of a return. */
  role: 'witness' | 'keeper';
  /** pending, confirmed, declined, or expired (pending past dueAt, computed). */
  state: ConfirmationState;
  objectType: string;
  /** The copy's serial (CC-…) or the handover file's (HF-…). */
  serial: string;
  project: string;
  requestedBy: ConfirmerRef | null;
  requestedAt: Date;
  confirmer: ConfirmerRef | null;
  dueAt: Date;
  decidedAt: Date | null;
  statusBefore: string;
  method: string | null;
  place: string | null;
  /** When the copy was destroyed, as recorded by the destroyer. */
  actedAt: Date | null;
  note: string | null;
  reason: string | null;
  declineReason: string | null;
}

export interface OpenInput {
  kind: ConfirmationKind;
  objectType: 'controlled_copy' | 'handover_file';
  objectId: string;
  projectId: number;
  confirmerId: number;
  statusBefore: string;
  method?: string | null;
  note?: string | null;
  place?: string | null;
  actedAt?: Date | null;
  reason?: string | null;
}

export const roleOf = (kind: ConfirmationKind): 'witness' | 'keeper' => (kind === 'copy_return' ? 'keeper' : 'witness');
export const serialOfObject = (objectType: string, objectId: string): string => (objectType === 'handover_file' ? `HF-${objectId}` : objectId);
/** A pending confirmation is open until its due time (inclusive); past it, it has lapsed. */
export const isOpen = (c: Pick<TwoPersonConfirmation, 'state' | 'dueAt'>, now: Date): boolean => c.state === 'pending' && c.dueAt.getTime() >= now.getTime();

/** The state as shown: a pending confirmation past its due time is expired. */
export const shownState = (c: Pick<TwoPersonConfirmation, 'state' | 'dueAt'>, now: Date): ConfirmationState =>
  c.state === 'pending' && c.dueAt.getTime() < now.getTime() ? 'expired' : c.state;

/**
 * The two-person rule, witnessed (R-NO-PAPER, R-HANDOVER-DESTROY): the rows of
 * two_person_confirmation and the rules every kind shares. The copy and handover services own
 * their records' transitions; this owns the confirmation's own: opened with its due time
 * (CONFIRMATION_TTL_HOURS) and a notification to the named person, decided once (a conditional
 * update: of a concurrent confirm and decline exactly one wins), lapsed when not decided in time.
 * Every method that takes `m` runs inside the caller's transaction and reads through it only.
 */
export class TwoPersonConfirmations {
  constructor(
    private readonly db: Database,
    private readonly policy: PolicyService,
    private readonly outbox: NotificationOutbox,
    private readonly ttlHours: number,
    private readonly timezone: string,
  ) {}

  load(id: number, m: EntityManager = this.db.manager): Promise<TwoPersonConfirmation | null> {
    return m.getRepository(TwoPersonConfirmation).findOneBy({ id });
  }

  /**
   * The confirmation a second person decides: the one the record waits for (`awaitedId`), or else
   * the record's latest of that kind (to say why there is nothing to decide); null when none was
   * ever recorded. Shared by the copy and the handover-file decisions.
   */
  async awaitedOrLatest(objectType: OpenInput['objectType'], objectId: string, kind: ConfirmationKind, awaitedId: number | null): Promise<TwoPersonConfirmation | null> {
    const awaited = awaitedId !== null ? await this.load(awaitedId) : null;
    return awaited ?? this.db.manager.getRepository(TwoPersonConfirmation).findOne({ where: { objectType, objectId, kind }, order: { id: 'DESC' } });
  }

  /**
   * Opens a confirmation naming the second person, due CONFIRMATION_TTL_HOURS later, and tells
   * them (kind confirmation.requested: serial, project, who recorded it, by when; no customer information).
   * Earlier lapsed ones of the record are closed as expired: the holder is starting again.
   */
  async open(m: EntityManager, requester: AuditActor & { id: number }, input: OpenInput, now: Date): Promise<TwoPersonConfirmation> {
    await m.getRepository(TwoPersonConfirmation).update({ objectType: input.objectType, objectId: input.objectId, state: 'pending', dueAt: LessThan(now) }, { state: 'expired' });
    const row = m.getRepository(TwoPersonConfirmation).create({
      kind: input.kind,
      objectType: input.objectType,
      objectId: input.objectId,
      projectId: input.projectId,
      requestedById: requester.id,
      requestedAt: now,
      confirmerId: input.confirmerId,
      dueAt: new Date(now.getTime() + this.ttlHours * HOUR_MS),
      state: 'pending',
      statusBefore: input.statusBefore,
      method: input.method ?? null,
      note: input.note ?? null,
      place: input.place ?? null,
      actedAt: input.actedAt ?? null,
      reason: input.reason ?? null,
      decidedAt: null,
      declineReason: null,
    });
    await m.getRepository(TwoPersonConfirmation).insert(row);
    // To the named person: identifiers only (never the note, place or reason: free text that may quote a customer).
    const scope = await this.policy.projectScope(row.projectId, m);
    const project = scope.slice('project:'.length);
    await this.outbox.enqueue(m, {
      recipientId: row.confirmerId,
      kind: 'confirmation.requested',
      params: {
        confirmationId: row.id,
        act: row.kind,
        serial: serialOfObject(row.objectType, row.objectId),
        project,
        requester: requester.username ?? `user ${requester.id}`,
        dueAt: this.local(row.dueAt),
      },
      objectType: row.objectType,
      objectId: row.objectId,
      dedupeKey: `confirmation.requested:${row.id}`,
      scope,
    });
    return row;
  }

  /**
   * 409 unless the confirmation can still be decided: already confirmed, already declined, or
   * lapsed (the holder must record the act again).
   */
  ensureOpen(c: TwoPersonConfirmation, now: Date): void {
    if (isOpen(c, now)) return;
    const serial = serialOfObject(c.objectType, c.objectId);
    const state = shownState(c, now);
    const details = { confirmationId: c.id, state, dueAt: c.dueAt };
    switch (state) {
      case 'confirmed':
        throw new ConflictError('already_confirmed', `${serial}: confirmation ${c.id} was already confirmed at ${this.local(c.decidedAt)}`, details);
      case 'declined':
        throw new ConflictError('already_declined', `${serial}: confirmation ${c.id} was declined at ${this.local(c.decidedAt)}; the holder may record the act again`, details);
      default:
        // Closed without lapsing: the record changed hands (a handover file's custody transfer).
        if (c.decidedAt) throw new ConflictError('confirmation_closed', `${serial}: confirmation ${c.id} was closed at ${this.local(c.decidedAt)} when the record changed hands`, details);
        throw new ConflictError('confirmation_expired', `${serial}: confirmation ${c.id} lapsed at ${this.local(c.dueAt)} without a decision; the holder may record the act again`, details);
    }
  }

  /**
   * Decides the confirmation inside the caller's transaction, conditional on it being still open:
   * of two concurrent decisions exactly one changes the row; the other gets the 409 of the state
   * the winner left.
   */
  async decide(m: EntityManager, c: TwoPersonConfirmation, decision: 'confirmed' | 'declined', now: Date, declineReason: string | null = null): Promise<void> {
    const r = await m
      .getRepository(TwoPersonConfirmation)
      .update({ id: c.id, state: 'pending', dueAt: MoreThanOrEqual(now) }, { state: decision, decidedAt: now, declineReason: decision === 'declined' ? declineReason : null });
    if (r.affected) {
      // Decided: the named person's request to confirm is done.
      await this.outbox.settle(m, c.objectType, c.objectId, ['confirmation.requested']);
      return;
    }
    const current = await m.getRepository(TwoPersonConfirmation).findOneByOrFail({ id: c.id });
    this.ensureOpen(current, now);
    throw new ConflictError('confirmation_changed', `Confirmation ${c.id} changed meanwhile; reload and try again`);
  }

  /** Tells the requester that the named person declined (the reason stays on the record). */
  async notifyDeclined(m: EntityManager, c: TwoPersonConfirmation, by: AuditActor): Promise<void> {
    const scope = await this.policy.projectScope(c.projectId, m);
    const project = scope.slice('project:'.length);
    await this.outbox.enqueue(m, {
      recipientId: c.requestedById,
      kind: 'confirmation.declined',
      params: { confirmationId: c.id, act: c.kind, serial: serialOfObject(c.objectType, c.objectId), project, confirmer: by.username ?? `user ${by.id}` },
      objectType: c.objectType,
      objectId: c.objectId,
      dedupeKey: `confirmation.declined:${c.id}`,
      scope,
    });
  }

  /** What waits for the user (open confirmations naming them); with `all`, every one that ever named them. */
  async listFor(userId: number, all: boolean): Promise<ConfirmationView[]> {
    const now = new Date();
    const rows = await this.db.manager.getRepository(TwoPersonConfirmation).find({
      where: { confirmerId: userId, ...(all ? {} : { state: 'pending', dueAt: MoreThanOrEqual(now) }) },
      order: { id: 'DESC' },
      take: 200,
    });
    return this.views(rows, now);
  }

  async views(rows: TwoPersonConfirmation[], now = new Date(), m: EntityManager = this.db.manager): Promise<ConfirmationView[]> {
    if (!rows.length) return [];
    const ids = [...new Set(rows.flatMap((r) => [r.requestedById, r.confirmerId]))];
    const users = new Map(
      (await m.getRepository(User).find({ where: { id: In(ids) }, select: { id: true, username: true, displayName: true } })).map((u) => [
        u.id,
        { id: u.id, username: u.username, displayName: u.displayName },
      ]),
    );
    return rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      role: roleOf(r.kind),
      state: shownState(r, now),
      objectType: r.objectType,
      serial: serialOfObject(r.objectType, r.objectId),
      project: this.projectCode(r.projectId),
      requestedBy: users.get(r.requestedById) ?? null,
      requestedAt: r.requestedAt,
      confirmer: users.get(r.confirmerId) ?? null,
      dueAt: r.dueAt,
      decidedAt: r.decidedAt,
      statusBefore: r.statusBefore,
      method: r.method,
      place: r.place,
      actedAt: r.actedAt,
      note: r.note,
      reason: r.reason,
      declineReason: r.declineReason,
    }));
  }

  async view(row: TwoPersonConfirmation, m: EntityManager = this.db.manager): Promise<ConfirmationView> {
    return (await this.views([row], new Date(), m))[0];
  }

  private projectCode(projectId: number): string {
    return this.policy.projectCode(projectId) ?? String(projectId);
  }

  private local(d: Date | null): string {
    return d ? `${formatDateTime(d, this.timezone)} (${this.timezone})` : 'an unrecorded time';
  }
}
