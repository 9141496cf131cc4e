import { Worker } from 'node:worker_threads';
import { InvalidPdfError } from './errors';

/**
 * pdf-parse (pdf.js) is run in a worker thread, for two reasons: pdf.js in Node parses on the
 * calling thread ("fake worker"), which would block the server's event loop on a large file;
 * and it loads its worker module with a dynamic import(), which jest's module sandbox refuses.
 * A worker thread is a plain Node context, so both go away.
 *
 * pdf-parse is resolved only when this is called: it is a devDependency (tests), and importing
 * this library must not fail where dev dependencies are not installed.
 */
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { PDFParse } = require(workerData.modulePath);
(async () => {
  const parser = new PDFParse({ data: workerData.data });
  try {
    const r = await parser.getText({ pageJoiner: '' });
    parentPort.postMessage({ ok: true, pages: r.pages.slice().sort((a, b) => a.num - b.num).map((p) => p.text) });
  } catch (e) {
    parentPort.postMessage({ ok: false, name: e && e.name, message: String(e && e.message) });
  } finally {
    await parser.destroy().catch(() => undefined);
  }
})();
`;

const NOT_A_PDF = new Set(['InvalidPDFException', 'FormatError', 'PasswordException']);
const TIMEOUT_MS = 60_000;

type Answer = { ok: true; pages: string[] } | { ok: false; name?: string; message: string };

/** Extract text per page (for tests and for checks). Throws InvalidPdfError when the input is not a readable PDF. */
export async function pdfText(pdf: Buffer): Promise<string[]> {
  const modulePath = require.resolve('pdf-parse');
  const data = new Uint8Array(pdf); // a copy: the worker gets its own
  // Settled on 'exit' only, so that when pdfText returns or throws the thread is gone.
  const answer = await new Promise<Answer>((resolve, reject) => {
    const worker = new Worker(WORKER, { eval: true, workerData: { modulePath, data } });
    let result: Answer | undefined;
    let failure: Error | undefined;
    const timer = setTimeout(() => {
      failure = new Error(`pdfText: no answer within ${TIMEOUT_MS} ms`);
      void worker.terminate();
    }, TIMEOUT_MS);
    worker.once('message', (m: Answer) => {
      result = m;
      void worker.terminate();
    });
    worker.once('error', (e) => {
      failure = e;
    });
    worker.once('exit', (code) => {
      clearTimeout(timer);
      if (result) resolve(result);
      else reject(failure ?? new Error(`pdfText: worker exited (${code}) without an answer`));
    });
  });
  if (answer.ok) return answer.pages;
  if (answer.name && NOT_A_PDF.has(answer.name)) throw new InvalidPdfError(`The file is not a readable PDF: ${answer.message}`);
  throw new Error(`pdfText: ${answer.name ?? 'Error'}: ${answer.message}`);
}
