import { Notification } from '../../../src/entities/Notification';
import { NotificationDelivery } from '../../../src/entities/NotificationDelivery';
import { adminActor, Caller, env, Expectation, Role, uid } from './env';

/**
 * Notifications (issue 13), written from the Rules:
 * - R-SCOPE (§2): a user's inbox, preferences and profile are their own: every signed-in user
 *   reads and marks their own messages and sets how they reach them.
 * - R-IT-PERMS (§3.1): the IT admin runs the system: configures the group robots of departments
 *   and projects, and watches the delivery of notifications (dead letters sent again).
 */
const IT_ADMIN: Role[] = ['it_admin'];

/** A message in the caller's own inbox (the anonymous caller is refused before any lookup). */
async function ownNotificationId(c: Caller): Promise<number> {
  if (!c.user) return 1;
  const key = `matrix.inbox:${uid()}`;
  await env.t.ctx.db.tx((m) => env.t.ctx.outbox.enqueue(m, { recipientId: c.user!.id, kind: 'system.robot_test', params: { robotId: 1 }, dedupeKey: key }));
  return (await env.t.ctx.db.manager.getRepository(Notification).findOneByOrFail({ dedupeKey: key })).id;
}

async function freshRobotId(): Promise<number> {
  const r = await env.t.ctx.robots.create(adminActor(), { name: `matrix ${uid()}`, platform: 'wecom', scope: `dept:${env.dept}`, webhookUrl: `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${uid()}${uid()}` });
  return r.id;
}

/** A dead-lettered e-mail delivery (the only kind a retry accepts). */
async function deadDeliveryId(): Promise<number> {
  const now = new Date();
  return env.t.ctx.db.tx(async (m) => {
    const key = `matrix.dead:${uid()}`;
    const n = await m.getRepository(Notification).insert({
      recipientId: env.t.admin.id,
      kind: 'system.robot_test',
      subject: 'matrix',
      body: 'matrix',
      params: JSON.stringify({ robotId: 1 }),
      link: '/inbox',
      action: false,
      objectType: null,
      objectId: null,
      scope: null,
      dedupeKey: key,
      createdAt: now,
      readAt: null,
      deliveredAt: null,
    });
    const d = await m.getRepository(NotificationDelivery).insert({
      notificationId: Number(n.identifiers[0].id),
      channel: 'email',
      target: 'matrix@demo.custodian.test',
      digest: false,
      dedupeKey: `${key}:email`,
      status: 'dead',
      attempts: 5,
      nextAttemptAt: now,
      lastError: 'matrix',
      createdAt: now,
    });
    return Number(d.identifiers[0].id);
  });
}

export function notificationsRows(): Record<string, Expectation> {
  return {
    // --- the own inbox, preferences and profile (R-SCOPE) ---
    'GET /api/v1/me/notifications': { rid: 'R-SCOPE', allow: 'authenticated', prepare: async () => ({ path: '/api/v1/me/notifications' }) },
    'GET /api/v1/me/notifications/unread-count': { rid: 'R-SCOPE', allow: 'authenticated', prepare: async () => ({ path: '/api/v1/me/notifications/unread-count' }) },
    'POST /api/v1/me/notifications/:id/read': {
      rid: 'R-SCOPE',
      allow: 'authenticated',
      prepare: async (c) => ({ path: `/api/v1/me/notifications/${await ownNotificationId(c)}/read`, body: {} }),
    },
    'POST /api/v1/me/notifications/read-all': { rid: 'R-SCOPE', allow: 'authenticated', prepare: async () => ({ path: '/api/v1/me/notifications/read-all', body: {} }) },
    'GET /api/v1/me/notification-preferences': { rid: 'R-SCOPE', allow: 'authenticated', prepare: async () => ({ path: '/api/v1/me/notification-preferences' }) },
    'PUT /api/v1/me/notification-preferences': {
      rid: 'R-SCOPE',
      allow: 'authenticated',
      prepare: async () => ({ path: '/api/v1/me/notification-preferences', body: { kinds: [{ kind: 'system.robot_test', mode: 'digest' }] } }),
    },
    'PATCH /api/v1/me/profile': { rid: 'R-SCOPE', allow: 'authenticated', prepare: async () => ({ path: '/api/v1/me/profile', body: { email: `m.${uid()}@matrix.test` } }) },

    // --- group robots (R-IT-PERMS) ---
    'GET /api/v1/notification-robots': { rid: 'R-IT-PERMS', allow: IT_ADMIN, permission: 'notification_robot:read', prepare: async () => ({ path: '/api/v1/notification-robots' }) },
    'POST /api/v1/notification-robots': {
      rid: 'R-IT-PERMS',
      allow: IT_ADMIN,
      permission: 'notification_robot:manage',
      prepare: async () => ({
        path: '/api/v1/notification-robots',
        body: { name: 'Matrix group', platform: 'dingtalk', scope: `project:${env.project}`, webhookUrl: `https://oapi.dingtalk.com/robot/send?access_token=${uid()}${uid()}`, secret: `SEC${uid()}` },
      }),
    },
    'PATCH /api/v1/notification-robots/:id': {
      rid: 'R-IT-PERMS',
      allow: IT_ADMIN,
      permission: 'notification_robot:manage',
      prepare: async () => ({ path: `/api/v1/notification-robots/${await freshRobotId()}`, body: { enabled: false } }),
    },
    'DELETE /api/v1/notification-robots/:id': {
      rid: 'R-IT-PERMS',
      allow: IT_ADMIN,
      permission: 'notification_robot:manage',
      prepare: async () => ({ path: `/api/v1/notification-robots/${await freshRobotId()}` }),
    },
    'POST /api/v1/notification-robots/:id/test': {
      rid: 'R-IT-PERMS',
      allow: IT_ADMIN,
      permission: 'notification_robot:manage',
      prepare: async () => ({ path: `/api/v1/notification-robots/${await freshRobotId()}/test`, body: {} }),
    },

    // --- deliveries and dead letters (R-IT-PERMS; helper B's routes) ---
    'GET /api/v1/notification-deliveries': {
      rid: 'R-IT-PERMS',
      allow: IT_ADMIN,
      permission: 'notification_delivery:read',
      prepare: async () => ({ path: '/api/v1/notification-deliveries', query: { status: 'dead' } }),
    },
    'POST /api/v1/notification-deliveries/:id/retry': {
      rid: 'R-IT-PERMS',
      allow: IT_ADMIN,
      permission: 'notification_delivery:retry',
      prepare: async () => ({ path: `/api/v1/notification-deliveries/${await deadDeliveryId()}/retry`, body: {} }),
    },
  };
}
