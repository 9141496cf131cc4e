import { createRequire } from 'node:module';

/**
 * Document libraries loaded on first use rather than at start-up. exceljs, pdfkit, pdf-lib and
 * swagger-ui-express together take about a second to load; most requests and most processes (a
 * CLI job, a test file that renders nothing) never need them. Types come from `import type`;
 * the values from these functions, which load each module once (require caches it).
 */
export const exceljs = (): typeof import('exceljs') => require('exceljs');
export const pdfkit = (): typeof import('pdfkit') => require('pdfkit');
export const pdfLib = (): typeof import('pdf-lib') => require('pdf-lib');
export const swaggerUi = (): typeof import('swagger-ui-express') => require('swagger-ui-express');

const fromPdfkit = new Map<string, unknown>();
/** One of pdfkit's own dependencies (fontkit, linebreak): the copy pdfkit itself uses, resolved once. */
export function pdfkitDependency<T>(name: string): T {
  if (!fromPdfkit.has(name)) fromPdfkit.set(name, createRequire(require.resolve('pdfkit'))(name));
  return fromPdfkit.get(name) as T;
}

/**
 * For a server: loads them once it is up, before anyone asks for a form. Loading is synchronous
 * (~0.3 s for exceljs alone): done by the first export instead, it would hold every other request
 * that long.
 */
export function preloadDocumentLibraries(): void {
  exceljs();
  pdfkit();
  pdfLib();
}
