import type { CustomerImport, ImportRowError, ImportStatus } from '../../../entities/CustomerImport';

/** Row errors kept on the import record (errorCount has the total), and their JSON size. */
const MAX_KEPT_ERRORS = 1000;
const MAX_ERRORS_JSON = 60_000;

/** The counts of one run of an import, kept in memory while it runs. */
export interface RunState {
  processed: number;
  rows: number;
  created: number;
  updated: number;
  skipped: number;
  errors: ImportRowError[];
  errorsJson: number;
  errorCount: number;
  /** Blind-index digest of every phone and ID number seen so far in the file → its row. */
  seen: Map<string, number>;
  /** Existing customers already updated by a row of this file. */
  touched: Set<number>;
  lastProgress: number;
}

export const freshState = (): RunState => ({
  processed: 0,
  rows: 0,
  created: 0,
  updated: 0,
  skipped: 0,
  errors: [],
  errorsJson: 2,
  errorCount: 0,
  seen: new Map(),
  touched: new Set(),
  lastProgress: Date.now(),
});

export function outcome(status: ImportStatus, st: RunState, message: string): Partial<CustomerImport> {
  return {
    status,
    totalRows: st.rows,
    processedRows: st.processed,
    created: st.created,
    updated: st.updated,
    skipped: st.skipped,
    errors: st.errors,
    errorCount: st.errorCount,
    finishedAt: new Date(),
    message: message.slice(0, 500),
  };
}

export function summary(rec: CustomerImport, st: RunState): string {
  const verb = rec.dryRun ? 'would be ' : '';
  return `${st.rows} row(s): ${st.created} ${verb}created, ${st.updated} ${verb}updated, ${st.skipped} ${verb}skipped; ${st.errorCount} with errors`;
}

/** What the audit trail records of an import: counts and ids, never a value (R-AUDIT, R-SECRET). */
export function auditCounts(rec: CustomerImport, st: RunState) {
  return {
    importId: rec.id,
    format: rec.format,
    dryRun: rec.dryRun,
    onError: rec.onError,
    byteSize: rec.byteSize,
    rows: st.rows,
    created: st.created,
    updated: st.updated,
    skipped: st.skipped,
    errorCount: st.errorCount,
  };
}

export function addError(st: RunState, e: ImportRowError): void {
  st.errorCount++;
  if (st.errors.length >= MAX_KEPT_ERRORS) return;
  const size = JSON.stringify(e).length + 1;
  if (st.errorsJson + size > MAX_ERRORS_JSON) return;
  st.errorsJson += size;
  st.errors.push(e);
}

