import { z } from 'zod';
import type { AppContext } from '../../context';
import { route, RouteSpec, selfAccess } from '../../api/route';

/** The signed-in user's reminders from the outbox (overdue copies, files past their deadline, cases to chase). */
export function notificationsRoutes(ctx: AppContext): RouteSpec[] {
  return [
    route({
      method: 'get',
      path: '/api/v1/me/notifications',
      summary: 'My reminders, newest first',
      tags: ['me'],
      access: selfAccess(),
      query: z.strictObject({ limit: z.coerce.number().int().min(1).max(200).default(50), kind: z.string().max(60).optional() }),
      handler: ({ actor, query }) => ctx.outbox.mine(actor!.id, query),
    }),
  ];
}
