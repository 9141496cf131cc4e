import type { AppContext } from '../../context';
import { acting, route, RouteSpec, selfAccess } from '../../api/route';
import { MAX_REFS, myWorkSchema, WORK_KINDS } from './work.service';

/**
 * "My work" (issue 12): what waits for the caller. Any signed-in user who has signed the
 * agreement may ask; what comes back is only what their own roles and records let them act on
 * (R-SCOPE), and never customer information (R-SECRET). The response is myWorkSchema of
 * work.service.ts.
 */
export function workRoutes(ctx: AppContext): RouteSpec[] {
  return [
    route({
      method: 'get',
      path: '/api/v1/me/work',
      summary:
        'What waits for me, only what I may act on: { items: [{ kind, count, overdue?, dueSoon?, refs: [{ id, label, due? }] (at most ' +
        `${MAX_REFS}, oldest or most urgent first) }], total }; kind is one of ${WORK_KINDS.join(', ')}; ` +
        'labels are serials, case numbers, period or project codes, never customer information; a kind with nothing waiting is left out',
      tags: ['me'],
      access: selfAccess(),
      response: myWorkSchema,
      handler: ({ auditActor }) => ctx.work.myWork(acting(auditActor)),
    }),
  ];
}
