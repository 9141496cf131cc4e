import { z } from 'zod';

/** The documented answers of the organisation routes, for the console's typed client; test/admin-console checks them. */
const isoDate = z.string().describe('ISO 8601 date-time');

export const departmentSchema = z.strictObject({ id: z.number().int(), code: z.string(), name: z.string(), createdAt: isoDate });
export const departmentsSchema = z.strictObject({ items: z.array(departmentSchema) });
export const projectSchema = z.strictObject({
  id: z.number().int(),
  code: z.string(),
  name: z.string(),
  departmentCode: z.string().nullable(),
  createdAt: isoDate,
});
export const projectsSchema = z.strictObject({ items: z.array(projectSchema) });
