import crypto from 'node:crypto';
import { ControlledCopy, CopyStatus } from '../../src/entities/ControlledCopy';
import { CustomerExport } from '../../src/entities/CustomerExport';
import { CustomerImport } from '../../src/entities/CustomerImport';
import { HandoverFile } from '../../src/entities/HandoverFile';
import { riskAssessmentJob } from '../../src/features/assessments/assessment.job';
import { localDate } from '../../src/lib/time';
import { JobPeriod, periodFromKey } from '../../src/jobs/period';
import type { TestApp } from './test-app';

/**
 * Fixtures for the monthly risk assessment (R-RISK-MONTHLY): the ledger rows its indicators
 * count, written straight into the other features' tables (their own workflows are tested in
 * their own suites), and periods of the monthly job.
 */
const hex = (n: number) => crypto.randomBytes(n).toString('hex');
const DAY = 86_400_000;

export const actorOf = (u: { id: number; username: string }) => ({ id: u.id, username: u.username });

/** The local date `days` from now in the app's timezone (YYYY-MM-DD). */
export function dayFromNow(t: TestApp, days: number): string {
  return localDate(new Date(Date.now() + days * DAY), t.ctx.config.timezone);
}

/** The monthly job's period for a month key (e.g. 2031-02): start, end, and dueAt (the 1st of the month after, 06:00). */
export function monthPeriod(t: TestApp, key: string): JobPeriod {
  const p = periodFromKey(riskAssessmentJob, key, t.ctx.config.timezone);
  if (!p) throw new Error(`bad month ${key}`);
  return p;
}

let monthSeq = 0;
/** A month no other test of this process uses (far in the future, so every department existed before it ended). */
export function freshMonth(): string {
  monthSeq++;
  return `${2500 + Math.floor(monthSeq / 12)}-${String((monthSeq % 12) + 1).padStart(2, '0')}`;
}

export async function makeCopy(t: TestApp, projectId: number, holderUserId: number, o: { status: CopyStatus; issuedAt: Date; expiresAt: Date; lostAt?: Date }) {
  const repo = t.ctx.db.manager.getRepository(ControlledCopy);
  const row = repo.create({
    serial: `CC-T-${hex(5)}`,
    printRequestId: 0,
    projectId,
    copyNumber: 1,
    copiesTotal: 1,
    holderUserId,
    status: o.status,
    issuedAt: o.issuedAt,
    expiresAt: o.expiresAt,
    signedAt: null,
    returnedAt: null,
    returnedToUserId: null,
    destroyedAt: null,
    destroyedById: null,
    destructionMethod: null,
    destructionNote: null,
    witnessUserId: null,
    lostAt: o.lostAt ?? null,
    lostReportedById: null,
    incidentId: null,
    createdAt: o.issuedAt,
    updatedAt: o.issuedAt,
  });
  await repo.insert(row);
  return row;
}

export async function makeHandoverFile(t: TestApp, projectId: number, holderId: number, o: { confirmedAt: Date; deadline: Date; destroyedAt?: Date }) {
  const repo = t.ctx.db.manager.getRepository(HandoverFile);
  const row = repo.create({
    projectId,
    fileName: 'developer-list.xlsx',
    format: 'xlsx',
    byteSize: 10,
    sha256: hex(32),
    storageName: hex(16),
    wrappedKey: null,
    keyId: null,
    status: o.destroyedAt ? 'destroyed' : 'pending_destruction',
    holderId,
    uploadedById: holderId,
    uploadedAt: new Date(o.confirmedAt.getTime() - DAY),
    entryReportedById: null,
    entryReportedAt: null,
    entryRecords: null,
    entryNote: null,
    confirmedById: holderId,
    confirmedAt: o.confirmedAt,
    destructionDeadline: o.deadline,
    destructionId: null,
    destroyedAt: o.destroyedAt ?? null,
  });
  await repo.insert(row);
  return row;
}

export async function makeImport(t: TestApp, projectId: number, o: { finishedAt: Date; dryRun: boolean; status?: CustomerImport['status'] }) {
  await t.ctx.db.manager.getRepository(CustomerImport).insert({
    id: crypto.randomUUID(),
    projectId,
    status: o.status ?? 'succeeded',
    dryRun: o.dryRun,
    onError: 'abort',
    format: 'csv',
    fileName: null,
    byteSize: 10,
    createdById: null,
    runnerId: null,
    createdAt: o.finishedAt,
    startedAt: o.finishedAt,
    finishedAt: o.finishedAt,
    message: null,
    errors: null,
  });
}

export async function makeExport(t: TestApp, projectId: number, createdById: number, o: { createdAt: Date; releaseId?: number }) {
  await t.ctx.db.manager.getRepository(CustomerExport).insert({
    id: crypto.randomUUID(),
    projectId,
    format: 'csv',
    purpose: 'indicator fixture',
    fields: [],
    rowCount: 0,
    releaseId: o.releaseId ?? null,
    createdById,
    createdAt: o.createdAt,
  });
}

/** supertest: collect a binary body (a PDF, an XLSX). */
export function binary(res: NodeJS.ReadableStream, cb: (err: Error | null, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(Buffer.from(c)));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
}
