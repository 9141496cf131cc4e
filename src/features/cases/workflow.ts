import type { CaseStatus, ComplaintCase } from '../../entities/ComplaintCase';
import { ConflictError, ValidationError } from '../../errors';

/** The steps of the procedure and the state each one needs (第九條). */
export type CaseAction = 'investigate' | 'propose' | 'decide' | 'communicate' | 'close' | 'reopen';

export const STEP_FROM: Readonly<Record<CaseAction, readonly CaseStatus[]>> = {
  investigate: ['registered'],
  propose: ['investigating'],
  decide: ['proposed'],
  communicate: ['decided'],
  close: ['communicated'],
  // 第九條(八): the customer does not accept the decision that was communicated (or the closed case).
  reopen: ['communicated', 'closed'],
};

/** 409 unless the case is in a state the step follows: no step is skipped, none is done twice. */
export function requireState(c: { caseNo: string; status: CaseStatus }, action: CaseAction): void {
  const expected = STEP_FROM[action];
  if (expected.includes(c.status)) return;
  throw new ConflictError(
    'invalid_case_state',
    `Case ${c.caseNo} is ${c.status}: "${action}" needs it to be ${expected.join(' or ')}`,
    { caseNo: c.caseNo, status: c.status, expected },
  );
}

/**
 * R-CASE-CHASE: the changes that close a case at `now`; closing at or after dueAt is late and needs
 * the reason (400 naming `path` without it, nothing changes).
 */
export function closingChanges(c: ComplaintCase, actorId: number, now: Date, lateReason: string | null | undefined, path: string): Partial<ComplaintCase> {
  const late = now.getTime() >= c.dueAt.getTime();
  if (late && !lateReason) {
    throw new ValidationError('A case closed late needs the reason for lateness', [
      { path, message: `case ${c.caseNo} was due on ${c.dueDate}: give the reason it is closed late (R-CASE-CHASE)` },
    ]);
  }
  return { status: 'closed', closedAt: now, closedById: actorId, late, lateReason: lateReason ?? null };
}
