import { LEDGER_COLUMNS, LedgerFormService, LedgerRow, STATUS_LABEL } from '../../src/features/paper/ledger-form.service';
import { pdfText, reportToPdf, type Report } from '../../src/lib/documents';

/*
 * R-LEDGER-FORM (§7): the printed form is read and compared by people. A serial broken over two
 * lines (`CC-2612-000` / `01`) or a status word cut in the middle (`signatur` / `e`) is misread,
 * so the PDF table gives a column at least the width of its widest short token (serials, dates,
 * status words) and wraps only between words. No database: the renderers are pure.
 */

const TZ = 'Asia/Shanghai';
/** The real §7 form (columns, labels, meta), built by the service without a database. */
const service = new LedgerFormService(null as never, null as never, null as never, { timezone: TZ } as never, async () => null);
const serial = (i: number) => `CC-2612-${String(i + 1).padStart(5, '0')}`;
const statuses = Object.values(STATUS_LABEL);

function formRows(n: number): LedgerRow[] {
  return Array.from({ length: n }, (_, i) => {
    const at = new Date(Date.UTC(2026, 11, 1, 2, 0) + i * 3_600_000);
    return {
      source: 'controlled_copy',
      serial: serial(i),
      summary: `業主大會簽到表（2 條客戶記錄 / 2 records; 第 1/1 份）`,
      requester: `張小明 (zhang.xm${i % 10})`,
      approver: '李經理 (li.jl)',
      approvedAt: at,
      signedAt: at,
      signedBy: `張小明 (zhang.xm${i % 10})`,
      expiresAt: at,
      returnedAt: i % 2 ? at : null,
      keeper: i % 2 ? '王主管 (wang.zg)' : null,
      keeperConfirmedAt: i % 2 ? at : null,
      destroyedAt: at,
      method: '碎紙 shredding',
      witness: '陳部長 (chen.bz)',
      witnessConfirmedAt: at,
      lostAt: null,
      status: statuses[i % statuses.length],
      at,
    };
  });
}

/** Every whole-word occurrence of the Latin words of `label` in the text, per word. */
const wordCount = (text: string, word: string) => (text.match(new RegExp(`(?<![A-Za-z])${word}(?![A-Za-z])`, 'g')) ?? []).length;

describe('R-LEDGER-FORM: serials and status words are never broken in the PDF table', () => {
  test('R-LEDGER-FORM: on the §7 form PDF every serial, date and status word stays whole on one line', async () => {
    const rows = formRows(40);
    const report = service.report(rows, { from: new Date('2026-11-30T16:00:00Z'), to: new Date('2026-12-31T16:00:00Z'), scope: 'project:PX' }, 'alice');
    const pages = await pdfText(await reportToPdf(report, { landscape: true }));
    const text = pages.join('\n');
    // Each serial once, whole: a serial split over two lines would not match.
    expect(text.match(/CC-2612-\d{5}/g)).toEqual(rows.map((r) => r.serial));
    // No line ends or starts inside a serial.
    expect(text).not.toMatch(/CC-2612-\d{0,4}\n/);
    // Dates whole (the date and the time may sit on two lines, never the date itself).
    const dates = text.match(/2026-12-\d{2}/g) ?? [];
    expect(dates.length).toBeGreaterThanOrEqual(rows.length * 6);
    expect(text).not.toMatch(/2026-1\n|2026-12-\d?\n\d/);
    // Status words: each word of each status label as often as the label is used, whole.
    for (const label of statuses) {
      const used = rows.filter((r) => r.status === label).length;
      for (const word of label.split(/[\s\u3000-\u9fff]+/).filter((w) => /^[A-Za-z]{5,}$/.test(w))) {
        expect({ label, word, count: wordCount(text, word) }).toEqual({ label, word, count: expect.any(Number) });
        expect(wordCount(text, word)).toBeGreaterThanOrEqual(used);
      }
    }
    // Every column header is there (the table still fits the page).
    for (const c of LEDGER_COLUMNS) expect(text.replace(/\s+/g, '')).toContain(c.zh);
  });

  test('R-LEDGER-FORM: a narrow column gets the width of its widest short token; long text still wraps inside its column', async () => {
    const long = '上門維修需要核對業主聯繫方式及房號，並與物業管理處前台核對客戶檔案。'.repeat(3);
    const report: Report = {
      titleZh: '測試',
      titleEn: 'Test',
      sections: [
        {
          columns: [
            { key: 'serial', zh: '編號', en: 'Serial', width: 0.2 },
            { key: 'status', zh: '狀態', en: 'Status', width: 0.2 },
            { key: 'text', zh: '內容', en: 'Text', width: 6 },
          ],
          rows: Array.from({ length: 5 }, (_, i) => ({ serial: `HF-${100000 + i}`, status: '已銷毀 destroyed / awaiting signature', text: long })),
        },
      ],
      generatedAt: new Date('2026-12-01T02:00:00Z'),
    };
    const text = (await pdfText(await reportToPdf(report))).join('\n');
    expect(text.match(/HF-\d{6}/g)).toHaveLength(5);
    expect(wordCount(text, 'signature')).toBe(5);
    expect(wordCount(text, 'awaiting')).toBe(5);
    expect(wordCount(text, 'destroyed')).toBe(5);
    // The long Chinese text is all there, wrapped over several lines.
    expect(text.includes(long)).toBe(false);
    expect(text.replace(/\n/g, '').split(long).length - 1).toBe(5);
  });
});
