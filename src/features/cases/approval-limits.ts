/**
 * 第十一條 客訴金額核決權限 / 第九條(五): the decision on a case goes, by the amount, to the approver
 * whose authority covers it. The limits are configuration (CASE_APPROVAL_LIMITS), e.g.
 * `project_manager:500,dept_head:5000,general_manager:*`: role, then the largest amount in yuan
 * that role may decide, or * for no limit.
 */
export interface ApprovalLimit {
  role: string;
  /** In fen (1/100 yuan); null = no limit. */
  limitFen: number | null;
}

export const DEFAULT_CASE_APPROVAL_LIMITS = 'project_manager:500,dept_head:5000,general_manager:*';

/** Parses CASE_APPROVAL_LIMITS; throws naming the variable and the bad entry. */
export function parseApprovalLimits(raw: string): ApprovalLimit[] {
  const out: ApprovalLimit[] = [];
  for (const part of raw.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^([a-z_]+)\s*:\s*(\*|\d+(?:\.\d{1,2})?)$/.exec(part);
    if (!m) throw new Error(`CASE_APPROVAL_LIMITS: "${part}" is not <role>:<amount in yuan> or <role>:*`);
    if (out.some((l) => l.role === m[1])) throw new Error(`CASE_APPROVAL_LIMITS: role ${m[1]} is listed twice`);
    out.push({ role: m[1], limitFen: m[2] === '*' ? null : Math.round(Number(m[2]) * 100) });
  }
  if (!out.length) throw new Error('CASE_APPROVAL_LIMITS: no role is listed; give e.g. project_manager:500,dept_head:5000,general_manager:*');
  return out;
}

/** Covers: null (no limit) covers everything. */
export function covers(limitFen: number | null, amountFen: number): boolean {
  return limitFen === null || amountFen <= limitFen;
}

/** The largest authority among the given limits (null = unlimited wins). */
export function highest(limits: ApprovalLimit[]): ApprovalLimit | null {
  let best: ApprovalLimit | null = null;
  for (const l of limits) {
    if (!best) best = l;
    else if (best.limitFen !== null && (l.limitFen === null || l.limitFen > best.limitFen)) best = l;
  }
  return best;
}

/** The configured roles whose authority covers the amount, lowest limit first. */
export function rolesCovering(limits: ApprovalLimit[], amountFen: number): ApprovalLimit[] {
  return limits
    .filter((l) => covers(l.limitFen, amountFen))
    .sort((a, b) => (a.limitFen ?? Number.MAX_SAFE_INTEGER) - (b.limitFen ?? Number.MAX_SAFE_INTEGER));
}

export function yuan(fen: number | null): string {
  return fen === null ? 'no limit' : (fen / 100).toFixed(2);
}

export function describeLimit(l: ApprovalLimit): string {
  return `${l.role} (${l.limitFen === null ? 'no limit' : yuan(l.limitFen)})`;
}
