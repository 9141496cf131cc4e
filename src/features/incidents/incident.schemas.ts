import { z } from 'zod';
import { INCIDENT_STATUSES, INCIDENT_TYPES } from '../../entities/Incident';

/** R-REWARD, R-PENALTY: the documented shape of an incident (IncidentView of incident.service.ts) for the API document. */
const instant = z.string().describe('An instant, ISO 8601');
export const incidentSchema = z.strictObject({
  id: z.number().int(),
  type: z.enum(INCIDENT_TYPES),
  status: z.enum(INCIDENT_STATUSES),
  project: z.string().nullable(),
  departmentId: z.number().int().nullable(),
  department: z.string().nullable(),
  reporterId: z.number().int().nullable().describe('null for an anonymous report (never stored)'),
  anonymous: z.boolean(),
  description: z.string(),
  copyId: z.number().int().nullable(),
  holderUserId: z.number().int().nullable(),
  investigatorId: z.number().int().nullable(),
  investigationStartedAt: instant.nullable(),
  findings: z.string().nullable(),
  responsibleUserIds: z.array(z.number().int()),
  concludedById: z.number().int().nullable(),
  createdAt: instant,
  updatedAt: instant,
  concludedAt: instant.nullable(),
});
export const incidentListSchema = z.strictObject({ items: z.array(incidentSchema), total: z.number().int() });
