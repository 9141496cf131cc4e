import { z } from 'zod';
import { INFO_CLASSES } from '../../entities/InventoryItem';

/** Response shapes of the inventory routes (R-INVENTORY), for the API document (the console's typed client). */
const isoDate = z.string().describe('ISO 8601 date-time');

export const inventoryItemSchema = z.strictObject({
  id: z.number().int(),
  departmentCode: z.string(),
  infoClass: z.enum(INFO_CLASSES),
  description: z.string(),
  keeperUserId: z.number().int().nullable().describe('The keeper when they have an account'),
  keeperUsername: z.string().nullable(),
  keeperName: z.string().nullable().describe('The keeper when they have no account'),
  location: z.string(),
  approxCount: z.number().int(),
  lastReviewedAt: isoDate.nullable(),
  createdAt: isoDate,
  updatedAt: isoDate,
  createdById: z.number().int(),
});

export const inventoryListSchema = z.strictObject({ items: z.array(inventoryItemSchema) });
export const inventoryPageSchema = z.strictObject({ items: z.array(inventoryItemSchema), total: z.number().int().nonnegative() });
