import fs from 'node:fs';
import path from 'node:path';
import type { CustomerImport } from '../../../entities/CustomerImport';
import { ConflictError } from '../../../errors';

/**
 * Committing a dry run (issue 12): a dry run that may be committed keeps its uploaded file in
 * IMPORT_DIR (as every upload is kept there while it runs: mode 0600, never in the database) for
 * DRY_RUN_KEEP_MS after it ended; POST /api/v1/imports/:id/commit then runs the real import from
 * that file, once, through any instance: IMPORT_DIR is a volume every instance mounts, as
 * HANDOVER_STORAGE_DIR is (docs/operations.md). The sweep (every instance, at start and every
 * minute) removes kept files past that time.
 */
export const DRY_RUN_KEEP_MS = 30 * 60_000;


/** The kept file of a dry run. */
export function keptFile(dir: string, id: string): string {
  return path.resolve(dir, `${id}.dryrun`);
}

/** The import a dry run was committed as, or null. */
export function committedAs(rec: Pick<CustomerImport, 'dryRun' | 'committedAsId'>): string | null {
  return rec.dryRun ? rec.committedAsId : null;
}

/** Whether a dry run's outcome allows committing it: all-or-nothing dry runs only without row errors (R-CTRL-IT: nothing partial unless onError=skip was asked). */
export function committable(rec: Pick<CustomerImport, 'dryRun' | 'status' | 'errorCount' | 'onError'>): boolean {
  return !!rec.dryRun && rec.status === 'succeeded' && (rec.errorCount === 0 || rec.onError === 'skip');
}

/** Until when a dry run may be committed (null: it may not be, or no longer). */
export function commitUntil(rec: CustomerImport): Date | null {
  if (!committable(rec) || committedAs(rec) || !rec.finishedAt) return null;
  return new Date(rec.finishedAt.getTime() + DRY_RUN_KEEP_MS);
}

/** 409 import_not_committable with the reason in details (the console words it). */
export function notCommittable(reason: 'not_dry_run' | 'row_errors' | 'committed' | 'expired', rec: CustomerImport): ConflictError {
  const text = {
    not_dry_run: 'Only a finished dry run can be committed',
    row_errors: `The dry run found ${rec.errorCount} row(s) with errors and was all-or-nothing: correct the file and upload it again (or run the dry run with onError=skip)`,
    committed: 'This dry run was already committed',
    expired: `A dry run can be committed within ${DRY_RUN_KEEP_MS / 60_000} minutes after it ended: upload the file again`,
  }[reason];
  return new ConflictError('import_not_committable', text, { reason, status: rec.status, committedAs: committedAs(rec) });
}

/** Removes the kept dry-run files past DRY_RUN_KEEP_MS (by the time they were kept). */
export async function sweepKeptDryRuns(dir: string, now: Date = new Date()): Promise<number> {
  let names: string[];
  try {
    names = await fs.promises.readdir(dir);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    if (!name.endsWith('.dryrun')) continue;
    const file = path.join(dir, name);
    const st = await fs.promises.stat(file).catch(() => null);
    if (!st || now.getTime() - st.mtimeMs < DRY_RUN_KEEP_MS) continue;
    await fs.promises.rm(file, { force: true });
    removed++;
  }
  return removed;
}
