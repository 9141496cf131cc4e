import type { ReactNode } from 'react';
import { Typography } from 'antd';
import { WarningOutlined } from '@ant-design/icons';
import type { paths } from '../../api/schema';
import { getCompanyTimeZone } from '../../i18n/format';
import type { T } from '../../i18n/messages';
import { ToneTag, type Tone } from '../../shared/tone';
import type { messages } from './messages';

/** The case as GET /api/v1/cases/:id documents it (customer masked, text redacted: R-CASE-CONFIDENTIAL). */
export type CaseView = paths['/api/v1/cases/{id}']['get']['responses'][200]['content']['application/json'];
export type CaseStatus = CaseView['status'];
export type CaseStats = paths['/api/v1/case-statistics/{period}']['get']['responses'][200]['content']['application/json'];

export type Msg = T<keyof (typeof messages)['en']>;

export const STATUSES: CaseStatus[] = ['registered', 'investigating', 'proposed', 'decided', 'communicated', 'closed'];
export const CHANNELS: CaseView['channel'][] = ['phone', 'visit', 'letter', 'email', 'online', 'sales_rep', 'other'];
export const TYPES: CaseView['type'][] = ['quality_complaint', 'non_quality_complaint', 'repair_request', 'other'];
export const CAUSES: NonNullable<CaseView['cause']>[] = ['quality', 'non_quality'];
export const PROPOSALS: NonNullable<CaseView['proposal']>[] = ['return', 'replacement', 'discount', 'compensation', 'rejected'];

/** Label of an enum value: t('st_registered'), t('ch_phone')... (unknown values shown as they are). */
export function label(t: Msg, prefix: 'st' | 'sp' | 'ch' | 'ty' | 'ca' | 'pr', value: string | null | undefined): string {
  if (!value) return t('none');
  const key = `${prefix}_${value}` as Parameters<Msg>[0];
  const text = t(key);
  return text === key ? value : text;
}

/** A status's AA tone (shared/tone). */
const STATUS_TONE: Record<CaseStatus, Tone> = {
  registered: 'blue',
  investigating: 'gold',
  proposed: 'purple',
  decided: 'cyan',
  communicated: 'geekblue',
  closed: 'grey',
};

export function StatusTag({ status, t }: { status: CaseStatus; t: Msg }) {
  return <ToneTag tone={STATUS_TONE[status]}>{label(t, 'st', status)}</ToneTag>;
}

/** A horizontally scrollable region reachable by keyboard (tables wider than the page at 800 px). */
export function ScrollRegion({ label: name, children }: { label: string; children: ReactNode }) {
  return (
    <div role="region" aria-label={name} tabIndex={0} style={{ overflowX: 'auto' }}>
      {children}
    </div>
  );
}

/** Today's date (YYYY-MM-DD) in the company's zone: due dates are company days (R-CASE-DEADLINE). */
function companyToday(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: getCompanyTimeZone(), year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

/** Whole days from today to the due date (company days): 0 = due today, negative = overdue by that many. */
export function daysLeft(dueDate: string, today = companyToday()): number {
  return Math.round((Date.parse(`${dueDate}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / 86_400_000);
}

/**
 * R-CASE-DEADLINE countdown: days left, or "逾期 N 天" in red with an icon (overdue is said in words,
 * not by colour only); a closed case says whether it closed on time.
 */
export function Countdown({ c, t }: { c: Pick<CaseView, 'status' | 'dueDate' | 'overdue' | 'late'>; t: Msg }) {
  if (c.status === 'closed') {
    return c.late ? <Typography.Text type="danger">{t('closedLate')}</Typography.Text> : <Typography.Text type="secondary">{t('closedOnTime')}</Typography.Text>;
  }
  const d = daysLeft(c.dueDate);
  if (c.overdue || d < 0) {
    return (
      <Typography.Text type="danger" strong>
        <WarningOutlined aria-hidden /> {t('overdue')} · {t('overdueDays', { days: Math.max(1, -d) })}
      </Typography.Text>
    );
  }
  return <span>{d === 0 ? t('dueToday') : t('daysLeft', { days: d })}</span>;
}
