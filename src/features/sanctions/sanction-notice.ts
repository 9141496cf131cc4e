import type { Report } from '../../lib/documents';
import { GROUND_LABELS } from './sanction-rules';
import type { SanctionView } from './sanction.views';

const who = (p: { id: number; username: string | null; displayName: string | null } | null): string =>
  p === null ? '—' : p.displayName && p.username ? `${p.displayName} (${p.username})` : (p.username ?? `user ${p.id}`);

/** Notice number printed on the form: JF (獎罰) and the record id. */
export const noticeNumber = (id: number): string => `JF-${String(id).padStart(6, '0')}`;

/**
 * The reward/penalty notice (獎罰通知單, complaint procedure 第十二條; R-REWARD, R-PENALTY,
 * R-CASE-SANCTION) of an approved record: who, on what ground and source, which measures, who
 * proposed and who approved. Names employees only, never a customer's personal data.
 */
export function noticeReport(v: SanctionView, generatedBy: string, timezone: string): Report {
  const ground = GROUND_LABELS[v.ground];
  const measures: Array<{ measure: string; value: string | number }> = [];
  if (v.rewardAmount !== null) measures.push({ measure: '獎勵 Reward (100–1000 元)', value: `${v.rewardAmount} 元 yuan` });
  if (v.fineAmount !== null) measures.push({ measure: '罰款 Fine (300–2000 元)', value: `${v.fineAmount} 元 yuan` });
  if (v.dismissal) measures.push({ measure: '辭退 Dismissal', value: '是 yes' });
  if (v.compensationAmount !== null) measures.push({ measure: '賠償公司經濟損失 Compensation of the company’s loss', value: `${v.compensationAmount} 元 yuan` });
  if (v.judicialReferral) measures.push({ measure: '交司法部門處理 Referral to the judicial authorities', value: '是 yes' });
  return {
    titleZh: '獎罰通知單',
    titleEn: 'Reward / Penalty Notice',
    meta: [
      { zh: '通知單編號', en: 'Notice no.', value: noticeNumber(v.id) },
      { zh: '類別', en: 'Kind', value: v.kind === 'reward' ? '獎勵 Reward' : '處罰 Penalty' },
      { zh: '對象', en: 'Person', value: who(v.person) },
      { zh: '部門', en: 'Department', value: v.department ?? '—' },
      { zh: '項目', en: 'Project', value: v.project ?? '—' },
      { zh: '依據', en: 'Source', value: v.source.label },
      { zh: '事由', en: 'Ground', value: `${ground.zh} / ${ground.en} (${ground.rid})` },
      { zh: '提出', en: 'Proposed by', value: `${who(v.proposedBy)}, 品質管理部 Quality Management Dept` },
      { zh: '提出時間', en: 'Proposed at', value: v.proposedAt },
      { zh: '總經理批準', en: 'Approved by the general manager', value: who(v.decidedBy) },
      { zh: '批準時間', en: 'Approved at', value: v.decidedAt },
    ],
    sections: [
      {
        headingZh: '獎罰內容',
        headingEn: 'Measures',
        columns: [
          { key: 'measure', zh: '項目', en: 'Measure', width: 3 },
          { key: 'value', zh: '內容', en: 'Amount / decision', width: 2 },
        ],
        rows: measures,
      },
      { headingZh: '說明', headingEn: 'Reason', paragraphs: [v.reason, ...(v.decisionNote ? [`總經理批示 General manager’s note: ${v.decisionNote}`] : [])] },
      {
        headingZh: '分送',
        headingEn: 'Distribution',
        paragraphs: ['本通知單一式三份：一份自存，一份會計單位查核，一份送獎罰部門。', 'Three copies: one kept by the Quality Management Dept, one for the accounting unit to check, one for the department concerned.'],
      },
    ],
    generatedAt: new Date(),
    generatedBy,
    timezone,
  };
}
