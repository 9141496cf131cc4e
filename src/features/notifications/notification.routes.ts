import { z } from 'zod';
import type { AppContext } from '../../context';
import { Reply, route, RouteSpec, selfAccess } from '../../api/route';
import { idParam } from '../../api/validate';

const isoDate = z.string().describe('ISO 8601 date-time');
const inboxItemSchema = z.strictObject({
  id: z.number().int(),
  kind: z.string(),
  subject: z.string(),
  body: z.string(),
  link: z.string().nullable(),
  action: z.boolean(),
  objectType: z.string().nullable(),
  objectId: z.string().nullable(),
  createdAt: isoDate,
  readAt: isoDate.nullable(),
});

/**
 * The signed-in user's inbox (issue 13): every message written for them, in their language.
 * R-SCOPE: a user reads and marks only their own messages; another user's id is a 404.
 */
export function notificationsRoutes(ctx: AppContext): RouteSpec[] {
  return [
    route({
      method: 'get',
      path: '/api/v1/me/notifications',
      summary: 'My messages, newest first (unread=true: only unread), with the total of the filter and my unread count',
      tags: ['me'],
      access: selfAccess(),
      query: z.strictObject({
        limit: z.coerce.number().int().min(1).max(200).default(50),
        offset: z.coerce.number().int().min(0).default(0),
        unread: z.enum(['true', 'false']).optional(),
        kind: z.string().max(60).optional(),
      }),
      response: z.strictObject({ items: z.array(inboxItemSchema), total: z.number().int().nonnegative(), unread: z.number().int().nonnegative() }),
      handler: ({ actor, query }) => ctx.outbox.inbox(actor!.id, { limit: query.limit, offset: query.offset, unread: query.unread === 'true', kind: query.kind }),
    }),
    route({
      method: 'get',
      path: '/api/v1/me/notifications/unread-count',
      summary: 'How many of my messages are unread (the console polls it for the bell)',
      tags: ['me'],
      access: selfAccess(),
      response: z.strictObject({ unread: z.number().int().nonnegative() }),
      handler: async ({ actor }) => ({ unread: await ctx.outbox.unreadCount(actor!.id) }),
    }),
    route({
      method: 'post',
      path: '/api/v1/me/notifications/read-all',
      summary: 'Mark all my messages read',
      tags: ['me'],
      access: selfAccess(),
      response: z.strictObject({ marked: z.number().int().nonnegative() }),
      handler: async ({ actor }) => ({ marked: await ctx.outbox.markAllRead(actor!.id) }),
    }),
    route({
      method: 'post',
      path: '/api/v1/me/notifications/:id/read',
      summary: 'Mark one of my messages read (404 when it is not mine)',
      tags: ['me'],
      access: selfAccess(),
      params: idParam,
      status: 204,
      handler: async ({ actor, params }) => {
        await ctx.outbox.markRead(actor!.id, params.id);
        return new Reply(204, undefined);
      },
    }),
  ];
}
