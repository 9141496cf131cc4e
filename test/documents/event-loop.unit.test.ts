import { reportToPdf, reportToXlsx } from '../../src/lib/documents';
import { yielder, type Yielder } from '../../src/lib/documents/yield';
import { exceljs, pdfkit } from '../../src/lib/heavy-modules';
import { ledgerReport } from './fixtures';

/*
 * R-LEDGER-FORM at scale: a form of thousands of lines is rendered inside a request, on the one
 * event-loop thread. The renderers offer the loop a turn between units of work (a row, a slice of
 * pages, a font subset), and take it every ~20 ms of work, so the other requests (and timers) are
 * served while a big form is being built.
 *
 * These tests check where the turns are offered and that they change nothing, which holds on any
 * machine. How long the longest stretch between two turns lasts is a figure, not a pass/fail
 * line: `npm run bench:ledger` prints the server's longest event-loop stall per format.
 */

const ROWS = 2000;

/** A yielder that always hands the loop back, and counts how often it was asked. */
function countingPause(): { pause: Yielder; calls: () => number } {
  let calls = 0;
  const always = yielder(0);
  return {
    pause: async () => {
      calls++;
      await always();
    },
    calls: () => calls,
  };
}

/** Never hands the loop back: the render in one go. */
const never: Yielder = async () => {};

describe('long renders do not hold the event loop (R-LEDGER-FORM)', () => {
  // The renderers' libraries are loaded on first use (src/lib/heavy-modules.ts), once per process.
  beforeAll(() => {
    exceljs();
    pdfkit();
  });

  test('R-LEDGER-FORM: the yielder hands the loop back once its budget is spent, and not before', async () => {
    const ran: string[] = [];
    setImmediate(() => ran.push('other work'));
    await yielder(60_000)();
    ran.push('render, budget left');
    await yielder(0)();
    ran.push('render, budget spent');
    expect(ran).toEqual(['render, budget left', 'other work', 'render, budget spent']);
  });

  test('R-LEDGER-FORM: a 2,000-line PDF form offers the loop a turn at every row, twice (layout, then drawing), and the turns change no byte', async () => {
    const report = ledgerReport(ROWS);
    const counted = countingPause();
    const withTurns = await reportToPdf(report, { pause: counted.pause });
    expect(counted.calls()).toBeGreaterThanOrEqual(2 * ROWS);
    const inOneGo = await reportToPdf(report, { pause: never });
    expect(withTurns.equals(inOneGo)).toBe(true);
    // The default budget: the same bytes again.
    expect((await reportToPdf(report)).equals(inOneGo)).toBe(true);
  }, 120_000);

  test('R-LEDGER-FORM: a 2,000-line XLSX form offers the loop a turn at every row, twice (widths, then writing)', async () => {
    const counted = countingPause();
    const xlsx = await reportToXlsx(ledgerReport(ROWS), { pause: counted.pause });
    expect(counted.calls()).toBeGreaterThanOrEqual(2 * ROWS);
    expect(xlsx.subarray(0, 2).toString('latin1')).toBe('PK');
  }, 120_000);

  test('R-LEDGER-FORM: with the default budget a timer fires while the form is rendered (in one go it could not)', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    try {
      await reportToPdf(ledgerReport(ROWS));
      const duringPdf = ticks;
      await reportToXlsx(ledgerReport(ROWS));
      expect(duringPdf).toBeGreaterThan(0);
      expect(ticks).toBeGreaterThan(duringPdf);
    } finally {
      clearInterval(timer);
    }
  }, 120_000);
});
