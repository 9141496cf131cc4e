import { z } from 'zod';
import type { AppContext } from '../../../context';
import { acting, permission, route, RouteSpec } from '../../../api/route';
import { idParam, pageQuery } from '../../../api/validate';
import { DELIVERY_CHANNELS, DELIVERY_STATUSES } from '../../../entities/NotificationDelivery';
import { deliveryAdmin } from './delivery.service';

const instant = z.string().describe('ISO 8601 instant');

const deliverySchema = z.object({
  id: z.number(),
  notificationId: z.number(),
  kind: z.string().nullable(),
  channel: z.enum(DELIVERY_CHANNELS),
  target: z.string().describe('the e-mail address, or robot:<id> (a robot is never shown by its webhook URL)'),
  status: z.enum(DELIVERY_STATUSES),
  attempts: z.number(),
  lastError: z.string().nullable(),
  nextAttemptAt: instant,
  sentAt: instant.nullable(),
  createdAt: instant,
});

/**
 * Deliveries of notifications by e-mail and group robots (docs/notifications.md): the IT admin
 * lists them (dead letters first of all: `?status=dead`) and puts a dead letter back in the queue.
 */
export function deliveryRoutes(ctx: AppContext): RouteSpec[] {
  const admin = deliveryAdmin(ctx);
  return [
    route({
      method: 'get',
      path: '/api/v1/notification-deliveries',
      summary: 'Deliveries of notifications by e-mail and group robot, newest first; ?status=dead lists the dead letters (every attempt failed) with their last error',
      tags: ['notifications'],
      access: permission('notification_delivery', 'read', 'company'),
      query: z.strictObject({ status: z.enum(DELIVERY_STATUSES).optional(), ...pageQuery }),
      response: z.object({ items: z.array(deliverySchema), total: z.number() }),
      handler: ({ query }) => admin.list(query),
    }),
    route({
      method: 'post',
      path: '/api/v1/notification-deliveries/:id/retry',
      summary: 'A dead letter back to pending with a fresh set of attempts, sent on the next poll; 409 unless the delivery is dead (audited)',
      tags: ['notifications'],
      access: permission('notification_delivery', 'retry', 'company'),
      params: idParam,
      response: deliverySchema,
      handler: ({ params, auditActor }) => admin.retry(acting(auditActor), Number(params.id)),
    }),
  ];
}
