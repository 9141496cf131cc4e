import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { HandoverFile } from '../../src/entities/HandoverFile';
import { reportToPdf } from '../../src/lib/documents';
import { makeDepartment, makeProject, makeUser, MadeUser } from './factories';
import type { TestApp } from './test-app';

/** A fresh storage directory for one test app (pass as startTestApp({ env: handoverEnv() })). */
export function handoverEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { HANDOVER_STORAGE_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'custodian-hf-')), ...extra };
}

export const actorOf = (u: MadeUser) => ({ id: u.id, username: u.username });

/** A project with its lead (holder), a second lead (witness), two clerks and a staff member. */
export interface HandoverSetup {
  dept: string;
  project: string;
  projectId: number;
  lead: MadeUser;
  lead2: MadeUser;
  clerk: MadeUser;
  clerk2: MadeUser;
  staff: MadeUser;
}

export async function handoverSetup(t: TestApp): Promise<HandoverSetup> {
  const d = await makeDepartment(t);
  const p = await makeProject(t, { departmentCode: d.code });
  const scope = `project:${p.code}`;
  return {
    dept: d.code,
    project: p.code,
    projectId: p.id,
    lead: await makeUser(t, { roles: [['project_manager', scope]] }),
    lead2: await makeUser(t, { roles: [['project_manager', scope]] }),
    clerk: await makeUser(t, { roles: [['info_clerk', scope]] }),
    clerk2: await makeUser(t, { roles: [['info_clerk', scope]] }),
    staff: await makeUser(t, { roles: [['staff', scope]] }),
  };
}

/** A CSV of `rows` owner lines (header first). */
export function ownersCsv(rows = 3): Buffer {
  const lines = ['name,unit,phone'];
  for (let i = 1; i <= rows; i++) lines.push(`業主${i},${i}棟101室,1390000${String(i).padStart(4, '0')}`);
  return Buffer.from(lines.join('\n') + '\n', 'utf8');
}

/** An XLSX workbook with one sheet of `rows` owner lines (header first), and an optional second sheet. */
export async function ownersXlsx(rows = 3, secondSheet = false): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Owners');
  ws.addRow(['name', 'unit', 'phone']);
  for (let i = 1; i <= rows; i++) ws.addRow([`業主${i}`, `${i}棟101室`, `1390000${String(i).padStart(4, '0')}`]);
  if (secondSheet) wb.addWorksheet('Parking').addRow(['bay', 'owner']);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** A small two-page PDF. */
export async function handoverPdf(): Promise<Buffer> {
  const rows = Array.from({ length: 80 }, (_, i) => ({ unit: `${i + 1}棟`, owner: `Owner ${i + 1}` }));
  return reportToPdf({
    titleZh: '交樓資料',
    titleEn: 'Developer handover list',
    sections: [{ columns: [{ key: 'unit', zh: '單元', en: 'Unit' }, { key: 'owner', zh: '業主', en: 'Owner' }], rows }],
    generatedAt: new Date('2026-11-01T02:00:00Z'),
  });
}

/** A file taken into custody by `holder` (through the service, as the upload route does). */
export async function heldFile(t: TestApp, s: Pick<HandoverSetup, 'project'>, holder: MadeUser, name = 'owners.csv', bytes: Buffer = ownersCsv()): Promise<HandoverFile> {
  const project = await t.ctx.handover.projectByCode(s.project);
  const v = await t.ctx.handover.storeFile(actorOf(holder), project, name, bytes);
  return t.ctx.handover.load(v.id);
}

/** A held file delegated to `clerk` for `days`. */
export async function delegatedFile(t: TestApp, s: Pick<HandoverSetup, 'project'>, holder: MadeUser, clerk: MadeUser, days = 3, name?: string, bytes?: Buffer) {
  const f = await heldFile(t, s, holder, name, bytes);
  const d = await t.ctx.handover.delegate(actorOf(holder), f, { clerkUserId: clerk.id, days });
  return { file: await t.ctx.handover.load(f.id), delegation: d };
}

/** A file whose entry the clerk reported and the holder confirmed: pending destruction. */
export async function confirmedFile(t: TestApp, s: Pick<HandoverSetup, 'project'>, holder: MadeUser, clerk: MadeUser): Promise<HandoverFile> {
  const { file } = await delegatedFile(t, s, holder, clerk);
  await t.ctx.handover.reportEntry(actorOf(clerk), file, { records: 3 });
  await t.ctx.handover.confirm(actorOf(holder), await t.ctx.handover.load(file.id));
  return t.ctx.handover.load(file.id);
}

/**
 * R-HANDOVER-DESTROY (two-person rule): the holder records the destruction naming `witness`, who
 * confirms it from their own session (through the services): the file is crypto-shredded then.
 * Returns the destruction record's view.
 */
export async function witnessedDestruction(t: TestApp, holder: MadeUser, witness: MadeUser, f: HandoverFile, reason?: string) {
  await t.ctx.handover.destroy(actorOf(holder), await t.ctx.handover.load(f.id), { witnessUserId: witness.id, reason });
  return t.ctx.handover.confirmDestruction(actorOf(witness), await t.ctx.handover.load(f.id));
}
