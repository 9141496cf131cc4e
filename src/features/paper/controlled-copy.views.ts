import { FindOptionsWhere, In, IsNull, LessThan, MoreThanOrEqual, Not } from 'typeorm';
import type { AuditActor } from '../../audit/audit-writer';
import { ControlledCopy, CopyStatus, CopyViewStatus, DestructionMethod } from '../../entities/ControlledCopy';
import type { ConfirmationView } from '../confirmations/confirmation.service';

/** Who acts on a copy: an audit actor that is a signed-in user. */
export type Acting = AuditActor & { id: number };

/** Stored states in which the copy is out with its recipient (overdue once past its expiry). */
export const OUT_STATUSES: CopyStatus[] = ['awaiting_signature', 'issued'];
/** States from which a copy can still be destroyed or reported lost (a returned copy is with its keeper). */
export const LOCATED_STATUSES: CopyStatus[] = ['awaiting_signature', 'issued', 'returned'];
/**
 * SQL: no two-person act awaits its second person (none recorded, or the one recorded lapsed).
 * Every transition of a copy is conditional on it, so nothing happens to a copy while its
 * witness or keeper is asked to confirm (R-NO-PAPER).
 */
export const IDLE_SQL = '(pendingAct IS NULL OR confirmationDueAt < :now)';
/** Destroyed at most this far in the future of the server's clock (clock skew of the destroyer's device). */
export const CLOCK_SKEW_MS = 5 * 60 * 1000;

/** The two acts of a copy that a second person confirms: its confirmation kind, who confirms, the state (and audit action) it completes in. */
export const ACT = {
  destruction: { kind: 'copy_destruction', role: 'witness', done: 'destroyed' },
  return: { kind: 'copy_return', role: 'keeper', done: 'returned' },
} as const;

/** A two-person act awaits its second person and has not lapsed. */
export function pendingOpen(c: Pick<ControlledCopy, 'pendingAct' | 'confirmationDueAt'>, now: Date): boolean {
  return c.pendingAct !== null && c.confirmationDueAt !== null && c.confirmationDueAt.getTime() >= now.getTime();
}

export const WITNESS = { object: 'controlled_copy', action: 'witness' } as const;
export const REVEAL = { object: 'customer', action: 'reveal' } as const;

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
  /** When its print request was made (the first step of its timeline; readable without the request). */
  requestedAt: Date;
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
  /** The period [from, to): the copies on the ledger at some time in it (periodWhere). */
  from?: Date;
  to?: Date;
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
 * The copies on the ledger at some time in [from, to): issued (approved) before the period ends,
 * and not destroyed (witness confirmed) or lost before it starts. A supervisor asking "what was out
 * in November" means every paper copy that existed then, including one issued in October and held
 * quietly all month, or returned and waiting in its keeper's cabinet: neither has a ledger event
 * in November, so "issued in the period" or "any ledger event in the period" (the §7 form's
 * notion) would leave them out. It still includes every copy with such an event (issued, signed,
 * returned, destroyed or lost in the period). An array: OR of its branches, each with `base`.
 */
export function periodWhere(base: FindOptionsWhere<ControlledCopy>, from: Date | undefined, to: Date | undefined): FindOptionsWhere<ControlledCopy>[] {
  const issued = to ? { ...base, issuedAt: LessThan(to) } : base;
  if (!from) return [issued];
  return [{ ...issued, destroyedAt: IsNull(), lostAt: IsNull() }, { ...issued, destroyedAt: MoreThanOrEqual(from) }, { ...issued, lostAt: MoreThanOrEqual(from) }];
}

/** Who holds the copy now: its keeper once returned, otherwise its recipient. */
export function currentHolder(c: Pick<ControlledCopy, 'status' | 'returnedToUserId' | 'holderUserId'>): number {
  return c.status === 'returned' && c.returnedToUserId !== null ? c.returnedToUserId : c.holderUserId;
}
