import { z } from 'zod';
import type { AppContext } from '../context';
import { acting, permission, route, RouteSpec } from '../api/route';

const nameParam = z.strictObject({ name: z.string().regex(/^[a-z0-9-]{1,60}$/, 'a job name such as copies-overdue') });

/**
 * The scheduled jobs (R-RISK-MONTHLY, R-INSPECT, R-CASE-STATS and the daily reminders run
 * through them): the IT admin sees when each last and next runs, and runs one for a past
 * period (R-IT-PERMS).
 */
export function jobsRoutes(ctx: AppContext): RouteSpec[] {
  return [
    route({
      method: 'get',
      path: '/api/v1/jobs',
      summary: 'Every scheduled job: cadence, schedule, timezone, the period now due, last run (result) and next run',
      tags: ['jobs'],
      access: permission('job', 'read', 'company'),
      handler: () => ctx.jobs.list(),
    }),
    route({
      method: 'get',
      path: '/api/v1/jobs/:name/runs',
      summary: 'The latest runs of a job (one row per period; attempts counts reruns)',
      tags: ['jobs'],
      access: permission('job', 'read', 'company'),
      params: nameParam,
      query: z.strictObject({ limit: z.coerce.number().int().min(1).max(200).default(50) }),
      handler: ({ params, query }) => ctx.jobs.runs(params.name, query.limit),
    }),
    route({
      method: 'post',
      path: '/api/v1/jobs/:name/run',
      summary:
        'Run a job now for a period (default: the latest due). Periods: 2026-11-28 (daily), 2026-11 (monthly), 2026-B6 (bimonthly, Nov–Dec). A period not yet due is 400; a run in progress is 409; a rerun creates nothing twice.',
      tags: ['jobs'],
      access: permission('job', 'run', 'company'),
      params: nameParam,
      body: z.strictObject({ period: z.string().max(20).optional() }).optional(),
      handler: ({ params, body, auditActor }) => ctx.jobs.runManual(acting(auditActor), params.name, body?.period),
    }),
  ];
}
