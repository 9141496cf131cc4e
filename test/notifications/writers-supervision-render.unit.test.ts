import { renderMessage } from '../../src/features/notifications/catalogue';
import { LANGS } from '../../src/features/notifications/message';
import { supervisionKinds } from '../../src/features/notifications/kinds/supervision';

/**
 * Issue 13: every message kind of supervision and cases renders in both languages from its
 * sample params, names its record by identifier, and links to a console page.
 */
const EXPECTED = [
  'risk_assessment.due',
  'risk_assessment.returned',
  'risk_assessment.submitted',
  'inspection.created',
  'notice.public_criticism',
  'notice.announcement',
  'rectification.assigned',
  'rectification.due_soon',
  'rectification.overdue',
  'case.registered',
  'case.assigned',
  'case.due_soon',
  'case.chase',
  'case.decided',
  'incident.reported',
  'sanction.proposed',
  'sanction.approved',
];

const CJK = /[\u4e00-\u9fff]/;
/** Simplified forms that the Traditional text must not use (the Rules are written in 繁體). */
const SIMPLIFIED = /[项检评报门务罚奖处办单时请为发这实让馈诉责认]/;
/** The record's identifier each kind's text must name. */
const idParam = (p: Record<string, string | number>) =>
  String(p.caseNo ?? p.rectificationId ?? p.assessmentId ?? p.sanctionId ?? p.incidentId ?? p.project ?? p.period);

describe('issue 13: the supervision and case message kinds', () => {
  test('issue 13: every kind of the brief is declared once, with titles in both languages', () => {
    const kinds = supervisionKinds.map((d) => d.kind);
    expect(new Set(kinds).size).toBe(kinds.length);
    expect([...kinds].sort()).toEqual([...EXPECTED].sort());
    for (const d of supervisionKinds) {
      expect(d.title['zh-Hant']).toMatch(CJK);
      expect(d.title['zh-Hant']).not.toMatch(SIMPLIFIED);
      expect(d.title.en).not.toMatch(CJK);
    }
    // The requests to decide (review, approve) cannot be turned off.
    expect(supervisionKinds.filter((d) => d.action).map((d) => d.kind).sort()).toEqual(['risk_assessment.submitted', 'sanction.proposed']);
  });

  test.each(supervisionKinds.map((d) => [d.kind, d] as const))('issue 13: %s renders in zh-Hant and English, naming its record and linking to the console', (kind, d) => {
    for (const lang of LANGS) {
      const r = renderMessage(kind, d.sample, lang);
      expect(r.subject.trim().length).toBeGreaterThan(5);
      expect(r.subject).not.toContain('\n');
      expect(r.body.trim().length).toBeGreaterThan(10);
      expect(`${r.subject} ${r.body}`).toContain(idParam(d.sample));
      expect(`${r.subject} ${r.body}`).not.toMatch(/undefined|null|\[object/);
      if (lang === 'zh-Hant') {
        expect(r.subject).toMatch(CJK);
        expect(`${r.subject}${r.body}`).not.toMatch(SIMPLIFIED);
      } else {
        expect(`${r.subject}${r.body}`).not.toMatch(CJK);
      }
      expect(r.link).toMatch(/^\/(supervision\/|cases\/|$)/);
      expect(r.action).toBe(d.action);
    }
  });

  test('issue 13: the variants chosen by params: a returned case decision, a head reminded of an overdue rectification', () => {
    const decided = supervisionKinds.find((d) => d.kind === 'case.decided')!;
    expect(renderMessage('case.decided', { ...decided.sample, outcome: 'returned' }, 'zh-Hant').subject).toContain('退回');
    expect(renderMessage('case.decided', { ...decided.sample, outcome: 'returned' }, 'en').subject).toContain('returned');
    const overdue = supervisionKinds.find((d) => d.kind === 'rectification.overdue')!;
    const toHead = renderMessage('rectification.overdue', { ...overdue.sample, to: 'head' }, 'en');
    expect(toHead.body).toContain('wang.li');
    expect(toHead.link).toBe('/supervision/assessments/42');
    const toOwner = renderMessage('rectification.overdue', { ...overdue.sample, to: 'owner' }, 'zh-Hant');
    // The owner is sent to their own rectifications page, which needs no right to read the source.
    expect(toOwner.body).toContain('我的整改');
    expect(toOwner.link).toBe('/supervision/my-rectifications?rectification=31');
    expect(renderMessage('rectification.assigned', overdue.sample, 'en').link).toBe('/supervision/my-rectifications?rectification=31');
    expect(renderMessage('rectification.overdue', { ...overdue.sample, sourceType: 'inspection', sourceId: 12, to: 'head' }, 'en').link).toBe('/supervision/inspections/12');
    expect(renderMessage('case.chase', { caseId: 5, caseNo: '2612-001', project: 'P1', dueDate: '2026-12-01', status: 'investigating' }, 'zh-Hant').subject).toContain('催辦單');
  });
});
