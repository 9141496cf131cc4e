import { z } from 'zod';
import { BURNER_STATUSES, PORT_STATUSES } from '../../entities/PortRecord';

/** R-PORTS: the documented shape of a port-register entry (PortView of port.service.ts) for the API document. */
const instant = z.string().describe('An instant, ISO 8601');
export const portSchema = z.strictObject({
  id: z.number().int(),
  department: z.string(),
  assetTag: z.string(),
  userId: z.number().int().nullable(),
  username: z.string().nullable(),
  userName: z.string().nullable(),
  location: z.string(),
  usbStatus: z.enum(PORT_STATUSES),
  burnerStatus: z.enum(BURNER_STATUSES),
  sealed: z.boolean(),
  decision: z.string(),
  approvedById: z.number().int(),
  approvedBy: z.string().nullable(),
  riskAssessmentId: z.number().int().nullable(),
  lastVerifiedAt: instant.nullable(),
  lastVerifiedById: z.number().int().nullable(),
  createdById: z.number().int(),
  createdAt: instant,
  updatedAt: instant,
});
export const portListSchema = z.strictObject({ items: z.array(portSchema) });
