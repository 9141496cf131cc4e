import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export const IMPORT_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'interrupted'] as const;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];
export type ImportOnError = 'abort' | 'skip';
export type ImportFormat = 'csv' | 'xlsx';

/** One problem of one row of an uploaded file. Never carries the value itself (R-SECRET). */
export interface ImportRowError {
  row: number;
  column: string | null;
  message: string;
}

/**
 * A bulk import of customer records (control data) into one project: what was asked, its
 * progress and its outcome. The customers themselves are written in ONE transaction that also
 * moves this row to "succeeded", so an import is either wholly there or not at all.
 */
@Entity('customer_import')
@Index('idx_customer_import_status', ['status'])
@Index('idx_customer_import_project', ['projectId', 'createdAt'])
export class CustomerImport {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'int' })
  projectId: number;

  @Column({ type: 'varchar', length: 20 })
  status: ImportStatus;

  @Column({ type: 'boolean', default: false })
  dryRun: boolean;

  @Column({ type: 'varchar', length: 10 })
  onError: ImportOnError;

  @Column({ type: 'varchar', length: 10 })
  format: ImportFormat;

  @Column({ type: 'varchar', length: 200, nullable: true })
  fileName: string | null;

  @Column({ type: 'int' })
  byteSize: number;

  /** Data rows in the file (an estimate from the line count until the import has run). */
  @Column({ type: 'int', default: 0 })
  totalRows: number;

  @Column({ type: 'int', default: 0 })
  processedRows: number;

  @Column({ type: 'int', default: 0 })
  created: number;

  @Column({ type: 'int', default: 0 })
  updated: number;

  @Column({ type: 'int', default: 0 })
  skipped: number;

  /** The first row errors (capped in number and size); errorCount has the total. */
  @Column({ type: 'simple-json', nullable: true })
  errors: ImportRowError[] | null;

  @Column({ type: 'int', default: 0 })
  errorCount: number;

  @Column({ type: 'int', nullable: true })
  createdById: number | null;

  /** Who runs it: "<host>/<pid>/<service instance>" (see CustomerImportService.recoverInterrupted). */
  @Column({ type: 'varchar', length: 64, nullable: true })
  runnerId: string | null;

  @Column({ type: 'datetime', precision: 3 })
  createdAt: Date;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  startedAt: Date | null;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  finishedAt: Date | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  message: string | null;

  /** A dry run committed without a second upload (issue 12): the import it was committed as; null until then. */
  @Column({ type: 'varchar', length: 36, nullable: true })
  committedAsId: string | null;
}
