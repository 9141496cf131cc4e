import type { Column, Report } from '../../src/lib/documents';

/** The §7 Borrowing & Destruction Record Form (客戶信息借閱、銷毀記錄表), as the ledger will fill it. */
export const LEDGER_COLUMNS: Column[] = [
  { key: 'serial', zh: '受控編號', en: 'Serial', width: 1.2 },
  { key: 'customer', zh: '客戶姓名', en: 'Customer' },
  { key: 'borrower', zh: '借閱人', en: 'Borrower' },
  { key: 'borrowedAt', zh: '借閱時間', en: 'Borrowed at', width: 1.1 },
  { key: 'purpose', zh: '用途', en: 'Purpose', width: 2.4 },
  { key: 'destroyedAt', zh: '銷毀時間', en: 'Destroyed at', width: 1.1 },
  { key: 'witness', zh: '監銷人', en: 'Witness' },
  { key: 'copies', zh: '份數', en: 'Copies', width: 0.6 },
];

export const LONG_PURPOSE =
  '上門維修需要核對業主聯繫方式及房號，並與物業管理處前台核對客戶檔案，核對完畢後由項目信息員在項目經理監督下統一銷毀，並在本表登記銷毀方式及時間。';

export const serialOf = (i: number) => `CC-2611-${String(i + 1).padStart(5, '0')}`;

export function ledgerRows(n: number) {
  return Array.from({ length: n }, (_, i) => ({
    serial: serialOf(i),
    customer: i % 2 ? '王小明' : '陳大文',
    borrower: '張偉',
    // 2026-11-27T16:30Z is 2026-11-28 00:30 in Asia/Shanghai.
    borrowedAt: new Date(Date.UTC(2026, 10, 27, 16, 30) + i * 60_000),
    purpose: i % 10 === 3 ? LONG_PURPOSE : '核對業主信息',
    destroyedAt: i % 3 ? null : new Date('2026-11-29T02:00:00Z'),
    witness: '李經理',
    copies: 1 + (i % 3),
  }));
}

export function ledgerReport(rows: number): Report {
  return {
    titleZh: '客戶信息借閱、銷毀記錄表',
    titleEn: 'Borrowing & Destruction Record Form',
    meta: [
      { zh: '期間', en: 'Period', value: '2026-11' },
      { zh: '範圍', en: 'Scope', value: 'project:SC-HARBOUR' },
      { zh: '部門', en: 'Department', value: '物業一部 PM1' },
    ],
    sections: [
      { headingZh: '借閱及銷毀記錄', headingEn: 'Borrowing and destruction', columns: LEDGER_COLUMNS, rows: ledgerRows(rows) },
      { headingZh: '說明', headingEn: 'Notes', paragraphs: ['本表依據《客戶信息保密制度》第七條，由受控文件台賬生成。'] },
    ],
    generatedAt: new Date('2026-11-28T02:00:00Z'),
    generatedBy: 'alice',
  };
}
