import { z } from 'zod';
import type { AppContext } from '../../context';
import { acting, permission, Reply, route, RouteSpec } from '../../api/route';
import { idParam } from '../../api/validate';
import { ROBOT_PLATFORMS } from '../../entities/NotificationRobot';
import { USER_LANGUAGES } from '../../entities/User';

const isoDate = z.string().describe('ISO 8601 date-time');
const robotSchema = z.strictObject({
  id: z.number().int(),
  name: z.string(),
  platform: z.enum(ROBOT_PLATFORMS),
  scope: z.string(),
  webhook: z.string().describe('origin and the last four characters only: the token is never returned'),
  hasSecret: z.boolean(),
  kinds: z.array(z.string()).nullable(),
  language: z.enum(USER_LANGUAGES),
  enabled: z.boolean(),
  createdAt: isoDate,
  updatedAt: isoDate,
});

/** The robot's webhook: http(s) only (the platforms' are https; a test receiver may be local http). */
const webhookUrl = z.url({ protocol: /^https?$/, error: 'an http(s) URL: the webhook address the platform gave the group robot' }).max(2000);
const fields = {
  name: z.string().trim().min(1).max(100),
  platform: z.enum(ROBOT_PLATFORMS),
  scope: z.string().max(100).describe("'dept:<code>' | 'project:<code>'"),
  webhookUrl,
  secret: z.string().min(1).max(200).nullable().describe('DingTalk/Feishu signing secret'),
  kinds: z.array(z.string().min(1).max(60)).max(200).nullable().describe('the kinds the group receives; null = every kind'),
  language: z.enum(USER_LANGUAGES),
  enabled: z.boolean(),
};

/** Work-chat group robots of departments and projects, managed by the IT admin (issue 13, R-IT-PERMS). */
export function robotRoutes(ctx: AppContext): RouteSpec[] {
  return [
    route({
      method: 'get',
      path: '/api/v1/notification-robots',
      summary: 'Group robots (WeCom, DingTalk, Feishu) with their scope and kinds; webhooks masked',
      tags: ['notifications'],
      access: permission('notification_robot', 'read'),
      response: z.strictObject({ items: z.array(robotSchema) }),
      handler: () => ctx.robots.list(),
    }),
    route({
      method: 'post',
      path: '/api/v1/notification-robots',
      summary: 'Add a group robot to a department or project (webhook URL and secret stored encrypted)',
      tags: ['notifications'],
      access: permission('notification_robot', 'manage'),
      body: z.strictObject({
        name: fields.name,
        platform: fields.platform,
        scope: fields.scope,
        webhookUrl: fields.webhookUrl,
        secret: fields.secret.optional(),
        kinds: fields.kinds.optional(),
        language: fields.language.optional(),
        enabled: fields.enabled.optional(),
      }),
      status: 201,
      response: robotSchema,
      handler: ({ body, auditActor }) => ctx.robots.create(acting(auditActor), body),
    }),
    route({
      method: 'patch',
      path: '/api/v1/notification-robots/:id',
      summary: 'Change a group robot (a new webhook URL or secret replaces the stored one; secret null removes it)',
      tags: ['notifications'],
      access: permission('notification_robot', 'manage'),
      params: idParam,
      body: z
        .strictObject({
          name: fields.name.optional(),
          platform: fields.platform.optional(),
          scope: fields.scope.optional(),
          webhookUrl: fields.webhookUrl.optional(),
          secret: fields.secret.optional(),
          kinds: fields.kinds.optional(),
          language: fields.language.optional(),
          enabled: fields.enabled.optional(),
        })
        .refine((b) => Object.keys(b).length > 0, { message: 'nothing to change' }),
      response: robotSchema,
      handler: ({ params, body, auditActor }) => ctx.robots.update(acting(auditActor), params.id, body),
    }),
    route({
      method: 'delete',
      path: '/api/v1/notification-robots/:id',
      summary: 'Remove a group robot',
      tags: ['notifications'],
      access: permission('notification_robot', 'manage'),
      params: idParam,
      status: 204,
      handler: async ({ params, auditActor }) => {
        await ctx.robots.remove(acting(auditActor), params.id);
        return new Reply(204, undefined);
      },
    }),
    route({
      method: 'post',
      path: '/api/v1/notification-robots/:id/test',
      summary: 'Send a test message to the group (a system.robot_test delivery the worker sends like any other)',
      tags: ['notifications'],
      access: permission('notification_robot', 'manage'),
      params: idParam,
      status: 202,
      response: z.strictObject({ deliveryId: z.number().int() }),
      handler: ({ params, auditActor }) => ctx.robots.test(acting(auditActor), params.id),
    }),
  ];
}
