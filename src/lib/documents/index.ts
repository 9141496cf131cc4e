/**
 * Documents: the Rules' forms as PDF, XLSX and CSV (R-LEDGER-FORM, R-RISK-MONTHLY, R-INSPECT,
 * R-REWARD, R-PENALTY, R-CASE-STATS), controlled copies (R-NO-PAPER), view stamps on handover
 * files (R-HANDOVER-HOLD), and text extraction to check them.
 */
export type { AuditDigestRef, LatestDigest, Cell, Column, TableSection, ParagraphSection, Section, MetaField, Report } from './types';
export { auditDigestText, isTableSection } from './types';
export { formatDateTime, formatDate, DEFAULT_TIMEZONE } from './format';
export { reportToCsv } from './csv-report';
export { reportToXlsx } from './xlsx-report';
export { reportToPdf, type ReportPdfOptions } from './pdf-report';
export { renderControlledCopyPdf, type ControlledCopyInput } from './controlled-copy-pdf';
export { stampPdf } from './stamp-pdf';
export { InvalidPdfError } from './errors';
export { pdfText } from './pdf-text';
