import { z } from 'zod';
import { INSPECTION_STATUSES } from '../../entities/Inspection';
import { FINDING_SEVERITIES } from '../../entities/InspectionFinding';
import { ITEM_RESULTS } from '../../entities/InspectionItem';
import { noticeSchema } from '../notices/notice.views';
import { instant, rectificationSchema } from '../rectifications/rectification.views';

/**
 * R-INSPECT: the documented responses of the inspection routes (inspection.views.ts), for the API
 * document the console is typed from.
 */

const counts = z.strictObject({ pending: z.number().int(), pass: z.number().int(), fail: z.number().int(), na: z.number().int() });

const summaryFields = {
  id: z.number().int(),
  project: z.string(),
  projectName: z.string(),
  department: z.string().nullable(),
  period: z.string().describe('Two-month period, e.g. 2026-B6'),
  status: z.enum(INSPECTION_STATUSES),
  counts,
  findingCounts: z.strictObject({ minor: z.number().int(), majorHazard: z.number().int() }),
  createdAt: instant,
  completedAt: instant.nullable(),
  completedById: z.number().int().nullable(),
};

export const inspectionSummarySchema = z.strictObject(summaryFields);
export const inspectionListSchema = z.strictObject({ items: z.array(inspectionSummarySchema), total: z.number().int() });

export const figureSchema = z.strictObject({ key: z.string(), labelZh: z.string(), labelEn: z.string(), value: z.number(), requirement: z.string() });

export const inspectionItemSchema = z.strictObject({
  id: z.number().int(),
  position: z.number().int(),
  requirementId: z.string(),
  clause: z.string(),
  requirementText: z.string(),
  checkZh: z.string(),
  checkEn: z.string(),
  figures: z.array(figureSchema),
  result: z.enum(ITEM_RESULTS),
  notes: z.string().nullable(),
  evidence: z.string().nullable(),
  recordedAt: instant.nullable(),
  recordedById: z.number().int().nullable(),
});

export const findingSchema = z.strictObject({
  id: z.number().int(),
  itemId: z.number().int(),
  requirementId: z.string().nullable(),
  severity: z.enum(FINDING_SEVERITIES),
  description: z.string(),
  createdAt: instant,
  createdById: z.number().int(),
  rectificationIds: z.array(z.number().int()),
});

export const inspectionSchema = z.strictObject({
  ...summaryFields,
  periodStart: instant,
  periodEnd: instant,
  figuresFrom: instant,
  figuresTo: instant,
  conclusion: z.string().nullable(),
  createdById: z.number().int().nullable(),
  items: z.array(inspectionItemSchema),
  findings: z.array(findingSchema),
  rectifications: z.array(rectificationSchema.extend({ findingId: z.number().int().nullable() })),
  notices: z.array(noticeSchema),
});
