import { z } from 'zod';
import type { AppContext } from '../../context';
import { route, RouteSpec, selfAccess } from '../../api/route';
import { NOTIFICATION_MODES } from '../../entities/NotificationPreference';
import { USER_LANGUAGES } from '../../entities/User';

const mode = z.enum(NOTIFICATION_MODES);
const preferencesSchema = z.strictObject({
  email: z.string().nullable(),
  language: z.enum(USER_LANGUAGES),
  kinds: z.array(
    z.strictObject({
      kind: z.string(),
      title: z.strictObject({ 'zh-Hant': z.string(), en: z.string() }),
      action: z.boolean(),
      mode,
      modes: z.array(mode),
    }),
  ),
});

/** The caller's own notification preferences (R-SCOPE: nobody reads or sets another user's). */
export function preferenceRoutes(ctx: AppContext): RouteSpec[] {
  return [
    route({
      method: 'get',
      path: '/api/v1/me/notification-preferences',
      summary: 'My e-mail address, language and, per kind of message, how it reaches me (inapp | email | digest) and the modes allowed',
      tags: ['me'],
      access: selfAccess(),
      response: preferencesSchema,
      handler: ({ actor }) => ctx.preferences.get(actor!.id),
    }),
    route({
      method: 'put',
      path: '/api/v1/me/notification-preferences',
      summary: "Set the mode of the listed kinds (the others keep theirs); a kind that asks me to act allows only email or digest",
      tags: ['me'],
      access: selfAccess(),
      body: z.strictObject({ kinds: z.array(z.strictObject({ kind: z.string().min(1).max(60), mode })).max(200) }),
      response: preferencesSchema,
      handler: ({ body, actor, auditActor }) => ctx.preferences.set({ ...auditActor, id: actor!.id }, body.kinds),
    }),
  ];
}
