import type { CustomerImport, ImportFormat, ImportOnError, ImportRowError, ImportStatus } from '../../../entities/CustomerImport';
import type { RunState } from './import-run-state';
import { committedAs, commitUntil } from './import-commit';

export interface ImportRequest {
  projectCode: string;
  dryRun: boolean;
  onError: ImportOnError;
  fileName: string | null;
}

export interface ImportView {
  id: string;
  project: string;
  status: ImportStatus;
  dryRun: boolean;
  onError: ImportOnError;
  format: ImportFormat;
  fileName: string | null;
  byteSize: number;
  totalRows: number;
  processedRows: number;
  created: number;
  updated: number;
  skipped: number;
  errorCount: number;
  errors: ImportRowError[];
  createdById: number | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  message: string | null;
  /** A dry run that may be committed (POST /imports/:id/commit): until when; null otherwise (issue 12). */
  commitUntil: Date | null;
  /** The import a dry run was committed as. */
  committedAs: string | null;
}

/**
 * What GET /imports/:id shows of an import. A running import of this process shows its live
 * progress `st` (on SQLite the row shows it only at the end).
 */
export function importView(rec: CustomerImport, project: string, st?: RunState): ImportView {
  const live = st && rec.status === 'running' ? st : undefined;
  return {
    id: rec.id,
    project,
    status: rec.status,
    dryRun: !!rec.dryRun,
    onError: rec.onError,
    format: rec.format,
    fileName: rec.fileName,
    byteSize: rec.byteSize,
    totalRows: live ? Math.max(rec.totalRows, live.rows) : rec.totalRows,
    processedRows: live ? live.processed : rec.processedRows,
    created: live ? live.created : rec.created,
    updated: live ? live.updated : rec.updated,
    skipped: live ? live.skipped : rec.skipped,
    errorCount: live ? live.errorCount : rec.errorCount,
    errors: (live ? live.errors : rec.errors) ?? [],
    createdById: rec.createdById,
    createdAt: rec.createdAt,
    startedAt: rec.startedAt,
    finishedAt: rec.finishedAt,
    message: rec.message,
    commitUntil: commitUntil(rec),
    committedAs: committedAs(rec),
  };
}
