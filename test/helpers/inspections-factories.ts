import { Inspection } from '../../src/entities/Inspection';
import { InspectionItem } from '../../src/entities/InspectionItem';
import { inspectionsJob } from '../../src/features/inspections/inspection.job';
import { JobPeriod, periodFromKey } from '../../src/jobs/period';
import { wallClock } from '../../src/lib/time';
import { makeDepartment, makeProject, makeUser, MadeUser } from './factories';
import type { TestApp } from './test-app';

/** Factories of the inspection area (R-INSPECT): periods, an organisation, a fresh inspection. */

/** The two-month block that contains `now` (2026-B6 on 28 November 2026), and the one after it. */
export function blockKeys(t: TestApp, now = new Date()): { current: string; next: string; previous: string } {
  const z = wallClock(now, t.ctx.config.timezone);
  const b = Math.ceil(z.m / 2);
  return {
    current: `${z.y}-B${b}`,
    next: b === 6 ? `${z.y + 1}-B1` : `${z.y}-B${b + 1}`,
    previous: b === 1 ? `${z.y - 1}-B6` : `${z.y}-B${b - 1}`,
  };
}

export function period(t: TestApp, key: string): JobPeriod {
  const p = periodFromKey(inspectionsJob, key, t.ctx.config.timezone);
  if (!p) throw new Error(`not a bimonthly period: ${key}`);
  return p;
}

export interface InspectionOrg {
  dept: string;
  project: string;
  projectId: number;
  /** project_manager of the project */
  pm: MadeUser;
}

/** A department, a project in it, and its project manager. */
export async function makeInspectedProject(t: TestApp): Promise<InspectionOrg> {
  const dept = (await makeDepartment(t)).code;
  const p = await makeProject(t, { departmentCode: dept });
  const pm = await makeUser(t, { roles: [['project_manager', `project:${p.code}`]] });
  return { dept, project: p.code, projectId: p.id, pm };
}

/** The project's inspection for the period (created as the bimonthly job does), with its items. */
export async function makeInspection(t: TestApp, projectId: number, key = blockKeys(t).current): Promise<{ inspection: Inspection; items: InspectionItem[] }> {
  await t.ctx.inspections.createForPeriod(period(t, key), undefined, [projectId]);
  const m = t.ctx.db.manager;
  const inspection = await m.getRepository(Inspection).findOneByOrFail({ projectId, period: key });
  const items = await m.getRepository(InspectionItem).find({ where: { inspectionId: inspection.id }, order: { position: 'ASC' } });
  return { inspection, items };
}
