import { z } from 'zod';
import type { AppContext } from '../context';
import { acting, permission, route, RouteSpec } from '../api/route';
import { COMPANY } from '../policy/scope';
import { JobDef, permissionName, runPermission } from './job';
import { periodUnderWay } from './period';

const nameParam = z.strictObject({ name: z.string().regex(/^[a-z0-9-]{1,60}$/, 'a job name such as copies-overdue') });
const runBody = z.strictObject({ period: z.string().max(20).optional() }).optional();
const RUN_SUMMARY =
  'A period not yet due is 400, except the period under way of a job that runs to date (its run then stores nothing final and leaves the scheduled run of the period to do it whole); a run in progress is 409; a rerun creates nothing twice.';

/**
 * The scheduled jobs (R-RISK-MONTHLY, R-INSPECT, R-CASE-STATS and the daily reminders run
 * through them). The IT admin sees and runs every job (R-IT-PERMS); each role runs the jobs of
 * its own work for a past or the current period: the quality department the assessments and
 * inspections, the general manager's office, the quality department and the auditors the case
 * statistics (JobDef.runBy; each such job has its own route declaring that permission).
 */
export function jobsRoutes(ctx: AppContext): RouteSpec[] {
  /** The caller may run the job by hand (the permission its route declares). */
  const mayRun = (userId: number, def: JobDef) => ctx.authz.decide(userId, COMPANY, runPermission(def)).allowed;
  const runRoute = (def: JobDef | null): RouteSpec => {
    const perm = def ? runPermission(def) : null;
    return route({
      method: 'post',
      path: def ? `/api/v1/jobs/${def.name}/run` : '/api/v1/jobs/:name/run',
      summary: def
        ? `Run ${def.name} now for a period (default: the latest due; ${def.cadence}, e.g. ${def.cadence === 'bimonthly' ? '2026-B6' : '2026-11'}). ${RUN_SUMMARY}`
        : `Run a job now for a period (default: the latest due). Periods: 2026-11-28 (daily), 2026-11 (monthly), 2026-B6 (bimonthly, Nov–Dec). ${RUN_SUMMARY}`,
      tags: ['jobs'],
      access: perm ? permission(perm.object, perm.action, 'company') : permission('job', 'run', 'company'),
      ...(def ? {} : { params: nameParam }),
      body: runBody,
      handler: async ({ params, body, auditActor }) => {
        const actor = acting(auditActor);
        const job = def ?? ctx.jobs.find((params as { name: string }).name);
        // A job with its own permission reached through this generic route still needs it (held by the IT admin).
        if (!def) await ctx.authz.require(actor, COMPANY, runPermission(job));
        return ctx.jobs.runManual(actor, job.name, body?.period);
      },
    });
  };

  return [
    route({
      method: 'get',
      path: '/api/v1/jobs',
      summary:
        'The scheduled jobs the caller may run (the IT admin: every job): cadence, schedule, timezone, the period now due, the period under way a run to date would cover, last run (result), next run, and the permission that runs it',
      tags: ['jobs'],
      access: permission('job', 'read', 'company'),
      handler: async ({ auditActor }) => {
        const actor = acting(auditActor);
        const now = new Date();
        const views = await ctx.jobs.list(now);
        return views.flatMap((v) => {
          const def = ctx.jobs.find(v.name);
          if (!mayRun(actor.id, def)) return [];
          return [{ ...v, runPermission: permissionName(runPermission(def)), periodUnderWay: periodUnderWay(def, now, ctx.jobs.timezone)?.key ?? null }];
        });
      },
    }),
    route({
      method: 'get',
      path: '/api/v1/jobs/:name/runs',
      summary: 'The latest runs of a job the caller may run (one row per period, and one per period run to date; attempts counts reruns)',
      tags: ['jobs'],
      access: permission('job', 'read', 'company'),
      params: nameParam,
      query: z.strictObject({ limit: z.coerce.number().int().min(1).max(200).default(50) }),
      handler: async ({ params, query, auditActor }) => {
        const def = ctx.jobs.find(params.name);
        await ctx.authz.require(acting(auditActor), COMPANY, runPermission(def));
        return ctx.jobs.runs(params.name, query.limit);
      },
    }),
    // From the registry (every context builds the same list), before the generic route: Express
    // takes the first route that matches.
    ...ctx.jobs.jobs.filter((def) => def.runBy).map((def) => runRoute(def)),
    runRoute(null),
  ];
}
