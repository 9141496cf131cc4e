import type { IncidentType } from '../../src/entities/Incident';
import type { IncidentView } from '../../src/features/incidents/incident.service';
import type { TestApp } from './test-app';

/**
 * An incident reported through the incident service (by `reporterId`, the bootstrap admin by
 * default, or anonymously), and with `concludedWith`, investigated and concluded by a quality
 * inspector with those persons found responsible.
 */
export async function makeIncident(
  t: TestApp,
  opts: { type?: IncidentType; project?: string; reporterId?: number; anonymous?: boolean; concludedWith?: number[] } = {},
): Promise<IncidentView> {
  const reporter = { id: opts.reporterId ?? t.admin.id, username: 'factory' };
  let i = await t.ctx.incidents.report(reporter, {
    type: opts.type ?? 'negligent_leak',
    description: 'A customer list was left on a printer in the lobby',
    ...(opts.project ? { project: opts.project } : {}),
    anonymous: opts.anonymous ?? false,
  });
  if (opts.concludedWith) {
    const inspector = { id: t.admin.id, username: 'factory inspector' };
    await t.ctx.incidents.investigate(inspector, await t.ctx.incidents.load(i.id), null);
    i = await t.ctx.incidents.conclude(inspector, await t.ctx.incidents.load(i.id), { findings: 'Left on the printer by the persons named', responsibleUserIds: opts.concludedWith });
  }
  return i;
}

/** supertest: collect a binary body (a PDF). */
export function binary(res: NodeJS.ReadableStream & { setEncoding(e: string): void }, cb: (err: Error | null, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(Buffer.from(c)));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
  res.on('error', (e: Error) => cb(e, Buffer.alloc(0)));
}
