import type { CaseStatus } from '../../entities/ComplaintCase';
import { ConflictError } from '../../errors';

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
