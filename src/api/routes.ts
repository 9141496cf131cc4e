import type { AppContext } from '../context';
import { auditRoutes } from '../audit/audit.routes';
import { accessRoutes } from '../features/access/access.routes';
import { authRoutes } from '../features/auth/auth.routes';
import { customerRoutes } from '../features/customers/customer.routes';
import { importRoutes } from '../features/customers/import/import.routes';
import { exportRoutes } from '../features/customers/export/export.routes';
import { releaseRoutes } from '../features/releases/release.routes';
import { surveyRoutes } from '../features/survey/survey.routes';
import { healthRoutes } from '../features/health/health.routes';
import { inventoryRoutes } from '../features/inventory/inventory.routes';
import { meRoutes } from '../features/me/me.routes';
import { orgRoutes } from '../features/org/org.routes';
import { usersRoutes } from '../features/users/user.routes';
import { peopleRoutes } from '../features/people/people.routes';
import { printRequestRoutes } from '../features/paper/print-request.routes';
import { controlledCopyRoutes } from '../features/paper/controlled-copy.routes';
import { ledgerFormRoutes } from '../features/paper/ledger-form.routes';
import { incidentRoutes } from '../features/incidents/incident.routes';
import { sanctionRoutes } from '../features/sanctions/sanction.routes';
import { notificationsRoutes } from '../features/notifications/notification.routes';
import { preferenceRoutes } from '../features/notifications/preference.routes';
import { robotRoutes } from '../features/notifications/robot.routes';
import { deliveryRoutes } from '../features/notifications/delivery/delivery.routes';
import { jobsRoutes } from '../jobs/jobs.routes';
import { handoverRoutes } from '../features/handover/handover.routes';
import { caseRoutes } from '../features/cases/case.routes';
import { inspectionRoutes } from '../features/inspections/inspection.routes';
import { noticeRoutes } from '../features/notices/notice.routes';
import { assessmentRoutes } from '../features/assessments/assessment.routes';
import { rectificationRoutes } from '../features/rectifications/rectification.routes';
import { portRoutes } from '../features/ports/port.routes';
import { workRoutes } from '../features/work/work.routes';
import { accessLogRoutes } from '../features/access-log/access-log.routes';
import { publicAccess, route, RouteSpec } from './route';
import { buildOpenApi } from './openapi';

/** Every route of the service. Feature areas add theirs here; nothing is mounted any other way. */
export function allRoutes(ctx: AppContext): RouteSpec[] {
  const routes = [
    ...healthRoutes(ctx),
    ...authRoutes(ctx),
    ...meRoutes(ctx),
    ...orgRoutes(ctx),
    ...usersRoutes(ctx),
    ...peopleRoutes(ctx),
    ...customerRoutes(ctx),
    ...importRoutes(ctx),
    ...exportRoutes(ctx),
    ...releaseRoutes(ctx),
    ...surveyRoutes(ctx),
    ...accessRoutes(ctx),
    ...auditRoutes(ctx),
    ...inventoryRoutes(ctx),
    ...printRequestRoutes(ctx),
    ...controlledCopyRoutes(ctx),
    ...ledgerFormRoutes(ctx),
    ...incidentRoutes(ctx),
    ...sanctionRoutes(ctx),
    ...jobsRoutes(ctx),
    ...handoverRoutes(ctx),
    ...caseRoutes(ctx),
    ...inspectionRoutes(ctx),
    ...noticeRoutes(ctx),
    ...assessmentRoutes(ctx),
    ...rectificationRoutes(ctx),
    ...portRoutes(ctx),
    ...notificationsRoutes(ctx),
    ...preferenceRoutes(ctx),
    ...robotRoutes(ctx),
    ...deliveryRoutes(ctx),
    ...workRoutes(ctx),
    ...accessLogRoutes(ctx),
  ];
  let doc: unknown = null;
  routes.push(
    route({
      method: 'get',
      path: '/api/v1/openapi.json',
      summary: 'This OpenAPI 3.1 document',
      tags: ['meta'],
      access: publicAccess(),
      handler: async () => (doc ??= buildOpenApi(routes, '1')),
    }),
  );
  return routes;
}
