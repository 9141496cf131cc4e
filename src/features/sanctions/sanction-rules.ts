import type { FieldIssue } from '../../errors';
import { z } from 'zod';
import { PENALTY_GROUNDS, REWARD_GROUNDS, SANCTION_GROUNDS, SANCTION_KINDS, SanctionGround, SanctionKind } from '../../entities/Sanction';
import type { SanctionSource } from './sanction.views';

/** R-REWARD (§5.3.3): 100–1000 yuan. */
export const REWARD_BAND = { min: 100, max: 1000 } as const;
/** R-PENALTY (§5.3.4): 300–2000 yuan. */
export const FINE_BAND = { min: 300, max: 2000 } as const;
/** Compensation is the company's loss: any positive amount, kept within an int column. */
export const COMPENSATION_MAX = 100_000_000;

export const REWARD_BAND_TEXT = `a reward is ${REWARD_BAND.min}–${REWARD_BAND.max} yuan (R-REWARD)`;
export const FINE_BAND_TEXT = `a fine is ${FINE_BAND.min}–${FINE_BAND.max} yuan (R-PENALTY)`;

/** A proposal as the register receives it (amounts in whole yuan). */
export interface SanctionProposal {
  source: { type: string; id: number };
  userId: number;
  kind: SanctionKind;
  ground: SanctionGround;
  /** A reward's amount. */
  amount?: number;
  /** A penalty's measures: at least one. */
  fine?: number;
  dismissal?: boolean;
  compensation?: number;
  judicialReferral?: boolean;
  reason: string;
}

const isRewardGround = (g: string) => (REWARD_GROUNDS as readonly string[]).includes(g);
const isPenaltyGround = (g: string) => (PENALTY_GROUNDS as readonly string[]).includes(g);

/**
 * The bands and measures of the Rules, checked on the proposal alone (no database): one issue
 * per offending field, each naming the band or the clause.
 */
export function measureIssues(p: SanctionProposal): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const penaltyMeasures = p.fine !== undefined || p.dismissal === true || p.compensation !== undefined || p.judicialReferral === true;
  if (p.kind === 'reward') {
    if (!isRewardGround(p.ground)) issues.push({ path: 'body.ground', message: `a reward is for ${REWARD_GROUNDS.join(' or ')} (R-REWARD)` });
    if (p.amount === undefined) issues.push({ path: 'body.amount', message: `the amount is required: ${REWARD_BAND_TEXT}` });
    else if (p.amount < REWARD_BAND.min || p.amount > REWARD_BAND.max) issues.push({ path: 'body.amount', message: REWARD_BAND_TEXT });
    if (penaltyMeasures) issues.push({ path: 'body.kind', message: 'a reward carries no fine, dismissal, compensation or judicial referral' });
    return issues;
  }
  if (!isPenaltyGround(p.ground)) issues.push({ path: 'body.ground', message: `a penalty is for ${PENALTY_GROUNDS.join(', ')} (R-PENALTY, R-CASE-SANCTION)` });
  if (p.amount !== undefined) issues.push({ path: 'body.amount', message: 'a penalty has no reward amount: give fine and/or compensation' });
  if (!penaltyMeasures) issues.push({ path: 'body.fine', message: 'a penalty needs at least one measure: fine, dismissal, compensation or judicialReferral (R-PENALTY)' });
  if (p.fine !== undefined && (p.fine < FINE_BAND.min || p.fine > FINE_BAND.max)) issues.push({ path: 'body.fine', message: FINE_BAND_TEXT });
  if (p.compensation !== undefined && (p.compensation <= 0 || p.compensation > COMPENSATION_MAX)) {
    issues.push({ path: 'body.compensation', message: `compensation is a positive amount of yuan (at most ${COMPENSATION_MAX}) (R-PENALTY)` });
  }
  // R-PENALTY (3): selling customer information goes to the judicial authorities, whatever else is ordered.
  if (p.ground === 'selling_for_gain' && p.judicialReferral !== true) {
    issues.push({ path: 'body.judicialReferral', message: 'selling customer information must be referred to the judicial authorities (R-PENALTY)' });
  }
  return issues;
}

/** The Rules that depend on what the source knows (its reporter, its findings, its type). */
export function sourceIssues(p: SanctionProposal, source: SanctionSource): FieldIssue[] {
  const issues: FieldIssue[] = [];
  if (p.kind === 'reward' && p.ground === 'report') {
    // R-REWARD (1) rewards the person who reported. An anonymous report has no known reporter,
    // so a reward for reporting it would go to someone who did not report it: refused.
    if (source.anonymousReporter) {
      issues.push({ path: 'body.ground', message: `${source.label} was reported anonymously: the reporter is unknown and cannot be rewarded for reporting (R-REWARD)` });
    } else if (source.reporterId !== undefined && source.reporterId !== null && source.reporterId !== p.userId) {
      issues.push({ path: 'body.userId', message: `a reward for reporting goes to the reporter of ${source.label} (user ${source.reporterId}) (R-REWARD)` });
    }
  }
  // §5.3.3 rewards reporting or remedying another's leak (發現他人泄露): never the person found responsible.
  if (p.kind === 'reward' && Array.isArray(source.responsibleUserIds) && source.responsibleUserIds.includes(p.userId)) {
    issues.push({ path: 'body.userId', message: `user ${p.userId} was found responsible for ${source.label}: no reward for it (R-REWARD)` });
  }
  if (p.kind === 'penalty') {
    if (Array.isArray(source.responsibleUserIds) && !source.responsibleUserIds.includes(p.userId)) {
      issues.push({
        path: 'body.userId',
        message: source.responsibleUserIds.length
          ? `user ${p.userId} is not among the persons ${source.label} found responsible (${source.responsibleUserIds.join(', ')})`
          : `${source.label} has found nobody responsible (yet): a penalty follows the findings`,
      });
    }
    if (source.incidentType === 'selling_for_gain' && p.judicialReferral !== true) {
      issues.push({ path: 'body.judicialReferral', message: `${source.label} is about selling customer information: the penalty must refer it to the judicial authorities (R-PENALTY)` });
    }
    if (p.ground === 'case_responsibility' && p.source.type !== 'case') {
      issues.push({ path: 'body.ground', message: 'case_responsibility applies to a complaint case (R-CASE-SANCTION)' });
    }
  }
  return issues;
}

/** Chinese and English names for the notice and the views. */
export const GROUND_LABELS: Record<SanctionGround, { zh: string; en: string; rid: string }> = {
  report: { zh: '及時檢舉泄露或非法獲取客戶信息', en: 'reported a leak or an illegal acquisition of customer information', rid: 'R-REWARD §5.3.3 (1)' },
  remedy: { zh: '立即采取補救措施，避免或減輕損失', en: 'stopped or reduced a leak by immediate remedial action', rid: 'R-REWARD §5.3.3 (2)' },
  negligent_leak: { zh: '因疏忽大意而泄露客戶信息', en: 'leaked customer information by negligence', rid: 'R-PENALTY §5.3.4 (1)' },
  lost_written_list: { zh: '遺失書面客戶信息清單', en: 'lost a written customer-information list', rid: 'R-PENALTY §5.3.4 (2)' },
  selling_for_gain: { zh: '出賣公司利益，利用客戶信息為自己謀利', en: 'sold or used customer information for personal gain', rid: 'R-PENALTY §5.3.4 (3)' },
  case_responsibility: { zh: '客訴案件職責歸屬', en: 'responsibility found on a complaint case', rid: 'R-CASE-SANCTION 第十二條' },
};

/**
 * The Rules' bands and grounds as the console shows them beside the proposal form (GET
 * /api/v1/sanctions/rules): the same constants the checks above apply, so the page and the
 * refusals never disagree.
 */
export const sanctionRulesSchema = z.strictObject({
  rewardBand: z.strictObject({ min: z.number().int(), max: z.number().int(), rid: z.literal('R-REWARD') }),
  fineBand: z.strictObject({ min: z.number().int(), max: z.number().int(), rid: z.literal('R-PENALTY') }),
  compensationMax: z.number().int(),
  grounds: z.array(z.strictObject({ ground: z.enum(SANCTION_GROUNDS), kind: z.enum(SANCTION_KINDS), zh: z.string(), en: z.string(), rid: z.string() })),
  /** R-PENALTY (3): selling customer information is always referred to the judicial authorities. */
  judicialReferralRequiredFor: z.array(z.enum(SANCTION_GROUNDS)),
  sourceTypes: z.array(z.string()),
});
export type SanctionRules = z.infer<typeof sanctionRulesSchema>;

export function sanctionRules(sourceTypes: string[]): SanctionRules {
  return {
    rewardBand: { ...REWARD_BAND, rid: 'R-REWARD' },
    fineBand: { ...FINE_BAND, rid: 'R-PENALTY' },
    compensationMax: COMPENSATION_MAX,
    grounds: SANCTION_GROUNDS.map((g) => ({ ground: g, kind: isRewardGround(g) ? ('reward' as const) : ('penalty' as const), ...GROUND_LABELS[g] })),
    judicialReferralRequiredFor: ['selling_for_gain'],
    sourceTypes,
  };
}
