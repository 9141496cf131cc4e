import { reportToPdf, reportToXlsx } from '../../src/lib/documents';
import { exceljs, pdfkit } from '../../src/lib/heavy-modules';
import { ledgerReport } from './fixtures';

/*
 * R-LEDGER-FORM at scale: a form of thousands of lines is rendered inside a request, on the one
 * event-loop thread. The renderers hand the loop back every ~20 ms of work, so the other
 * requests (and timers) are served while a big form is being built.
 */

/** Runs `render` while a 10 ms interval counts its ticks; returns the ticks and the longest gap between them. */
async function whileTicking(render: () => Promise<Buffer>): Promise<{ ticks: number; longestGapMs: number; totalMs: number; bytes: number }> {
  let ticks = 0;
  let last = performance.now();
  let longest = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
    ticks++;
  }, 10);
  const started = performance.now();
  last = started;
  try {
    const out = await render();
    const end = performance.now();
    return { ticks, longestGapMs: Math.max(longest, end - last), totalMs: end - started, bytes: out.length };
  } finally {
    clearInterval(timer);
  }
}

describe('long renders do not hold the event loop (R-LEDGER-FORM)', () => {
  // The renderers' libraries are loaded on first use (src/lib/heavy-modules.ts): ~0.3 s of
  // synchronous module loading, once per process, that is not the render's and would otherwise
  // count as its longest stretch.
  beforeAll(() => {
    exceljs();
    pdfkit();
  });

  test('R-LEDGER-FORM: a timer keeps firing while a 2,000-line form is rendered as PDF, and the file is the same as without the pauses', async () => {
    const report = ledgerReport(2000);
    const r = await whileTicking(() => reportToPdf(report));
    // Rendered in one go, the interval could not fire once before the file was finished.
    expect(r.ticks).toBeGreaterThanOrEqual(5);
    expect(r.longestGapMs).toBeLessThan(r.totalMs / 2);
    // The pauses change when the work is done, not what is drawn: the same bytes every time.
    expect((await reportToPdf(report)).equals(await reportToPdf(report))).toBe(true);
  }, 120_000);

  test('R-LEDGER-FORM: a timer keeps firing while a 2,000-line form is written as XLSX: no single stretch takes most of the render', async () => {
    const r = await whileTicking(() => reportToXlsx(ledgerReport(2000)));
    expect(r.ticks).toBeGreaterThanOrEqual(5);
    expect(r.longestGapMs).toBeLessThan(r.totalMs / 2);
  }, 120_000);
});
