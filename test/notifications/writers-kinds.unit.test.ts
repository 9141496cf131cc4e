/**
 * Issue 13: every message kind of the paper side and of the system renders in both languages from
 * identifiers only: a one-line subject, a body, a relative console link, titles for the
 * preferences page; and each variant a writer produces (the act confirmed, the decision, the
 * import's outcome) reads as such.
 */
import { CATALOGUE, renderMessage } from '../../src/features/notifications/catalogue';
import { paperKinds } from '../../src/features/notifications/kinds/paper';
import { systemKinds } from '../../src/features/notifications/kinds/system';
import { LANGS, MessageParams } from '../../src/features/notifications/message';

const CJK = /[\u4e00-\u9fff]/;
const PAPER = [
  'print_request.pending',
  'print_request.approved',
  'print_request.rejected',
  'confirmation.requested',
  'confirmation.declined',
  'copy.expiring',
  'copy.overdue',
  'handover.delegated',
  'handover.destruction_due',
  'handover.destruction_overdue',
  'handover.delegation_expired',
  'release.pending',
  'release.decided',
];
const SYSTEM = ['customer_import.finished', 'customer_export.finished', 'job.failed', 'audit.chain_broken', 'access_log.chain_broken'];
/** Kinds that ask the recipient to act: their e-mail cannot be turned off. */
const ACTION = ['print_request.pending', 'confirmation.requested', 'release.pending'];

/** Every variant a writer produces, beyond the samples. */
const variants: Array<[string, MessageParams]> = [
  ...paperKinds.concat(systemKinds).map((d): [string, MessageParams] => [d.kind, d.sample]),
  ...['copy_destruction', 'copy_return', 'handover_destruction'].flatMap((act): Array<[string, MessageParams]> => [
    ['confirmation.requested', { confirmationId: 3, act, serial: act.startsWith('copy') ? 'CC-2612-00007' : 'HF-9', project: 'P02', requester: 'lead1', dueAt: '2026-12-08 10:00 (Asia/Taipei)' }],
    ['confirmation.declined', { confirmationId: 3, act, serial: act.startsWith('copy') ? 'CC-2612-00007' : 'HF-9', project: 'P02', confirmer: 'pm2' }],
  ]),
  ['release.decided', { releaseId: 6, project: 'P02', decision: 'rejected', decidedBy: 'gm1', availableUntil: '' }],
  ['customer_import.finished', { importId: 'abc', project: 'P02', status: 'failed', dryRun: 0, rows: 45, created: 0, updated: 0, skipped: 0, errors: 1 }],
  ['customer_import.finished', { importId: 'abc', project: 'P02', status: 'succeeded', dryRun: 1, rows: 3, created: 3, updated: 0, skipped: 0, errors: 0 }],
  ['customer_import.finished', { importId: 'abc', project: 'P02', status: 'interrupted', dryRun: 0, rows: 5000, created: 0, updated: 0, skipped: 0, errors: 0 }],
];

describe('issue 13: the message kinds of the paper side and the system', () => {
  test('each kind is declared once, in the catalogue, with titles in both languages and the action flag of a kind that asks someone to act', () => {
    expect(paperKinds.map((d) => d.kind)).toEqual(PAPER);
    expect(systemKinds.map((d) => d.kind)).toEqual(SYSTEM);
    for (const d of [...paperKinds, ...systemKinds]) {
      expect(CATALOGUE.get(d.kind)).toBe(d);
      expect(d.title['zh-Hant']).toMatch(CJK);
      expect(d.title.en).not.toMatch(CJK);
      expect(d.action).toBe(ACTION.includes(d.kind));
    }
  });

  test.each(variants.flatMap(([kind, params]) => LANGS.map((lang) => [kind, lang, params] as const)))('%s renders in %s from its params', (kind, lang, params) => {
    const m = renderMessage(kind, params, lang);
    expect(m.subject.trim().length).toBeGreaterThan(5);
    expect(m.subject).not.toMatch(/\n/);
    expect(m.subject.length).toBeLessThanOrEqual(300);
    expect(m.body.trim().length).toBeGreaterThan(10);
    for (const text of [m.subject, m.body, m.link]) expect(text).not.toMatch(/undefined|null|NaN|\[object|\$\{/);
    if (lang === 'zh-Hant') expect(m.subject + m.body).toMatch(CJK);
    else expect(m.subject + m.body).not.toMatch(CJK);
    expect(m.link).toMatch(/^\/[A-Za-z0-9\-/]*$/);
    // The identifiers the message is about appear in it.
    for (const key of ['serial', 'requestId', 'releaseId', 'importId', 'exportId', 'job', 'seq']) {
      if (params[key] !== undefined) expect(m.subject).toContain(String(params[key]));
    }
    if (params.project !== undefined) expect(m.body).toContain(String(params.project));
  });

  test('the links lead to the record, its list, or the page where the person acts', () => {
    const link = (kind: string, p: MessageParams) => renderMessage(kind, p, 'en').link;
    expect(link('confirmation.requested', { act: 'copy_return', serial: 'CC-2612-00007' })).toBe('/copies/CC-2612-00007');
    expect(link('confirmation.requested', { act: 'handover_destruction', serial: 'HF-9' })).toBe('/handover/witness');
    expect(link('confirmation.declined', { act: 'handover_destruction', serial: 'HF-9' })).toBe('/handover/9');
    expect(link('copy.overdue', { serial: 'CC-2612-00007' })).toBe('/copies/CC-2612-00007');
    expect(link('handover.destruction_overdue', { fileId: 9, serial: 'HF-9' })).toBe('/handover/9');
    expect(link('handover.delegated', { fileId: 9 })).toBe('/handover/delegated');
    expect(link('print_request.pending', { requestId: 1 })).toBe('/print-requests');
    expect(link('release.pending', { releaseId: 1 })).toBe('/admin/releases');
    expect(link('customer_import.finished', { importId: 'x' })).toBe('/admin/imports');
    expect(link('job.failed', { job: 'x' })).toBe('/admin/jobs');
    expect(link('audit.chain_broken', { seq: 1 })).toBe('/audit');
  });

  test('a decision and an outcome read as what happened', () => {
    expect(renderMessage('release.decided', { releaseId: 6, project: 'P02', decision: 'rejected', decidedBy: 'gm1', availableUntil: '' }, 'en').subject).toMatch(/rejected/);
    expect(renderMessage('release.decided', { releaseId: 6, project: 'P02', decision: 'approved', decidedBy: 'gm1', availableUntil: 'x' }, 'zh-Hant').subject).toMatch(/核准/);
    expect(renderMessage('customer_import.finished', { importId: 'a', project: 'P', status: 'failed', dryRun: 0 }, 'en').subject).toMatch(/failed/);
    expect(renderMessage('customer_import.finished', { importId: 'a', project: 'P', status: 'succeeded', dryRun: 1 }, 'zh-Hant').body).toMatch(/試行/);
    expect(renderMessage('customer_import.finished', { importId: 'a', project: 'P', status: 'interrupted', dryRun: 0 }, 'en').subject).toMatch(/interrupted/);
    expect(renderMessage('confirmation.requested', { act: 'copy_return', serial: 'CC-1' }, 'zh-Hant').body).toMatch(/保管人/);
    expect(renderMessage('confirmation.requested', { act: 'copy_destruction', serial: 'CC-1' }, 'zh-Hant').body).toMatch(/監銷人/);
  });
});
