import type { AppContext } from '../../context';
import { publicAccess, Reply, route, RouteSpec } from '../../api/route';

export function healthRoutes(ctx: AppContext): RouteSpec[] {
  return [
    route({
      method: 'get',
      path: '/healthz',
      summary: 'Liveness: the process answers',
      tags: ['health'],
      access: publicAccess(),
      handler: async () => ({ status: 'ok' }),
    }),
    route({
      method: 'get',
      path: '/readyz',
      summary: 'Readiness: the database answers and the policy is loaded (503 otherwise)',
      tags: ['health'],
      access: publicAccess(),
      handler: async () => {
        const { ready, checks, policyVersion } = await ctx.health.readiness();
        return new Reply(ready ? 200 : 503, { status: ready ? 'ready' : 'unavailable', checks, policyVersion });
      },
    }),
  ];
}
