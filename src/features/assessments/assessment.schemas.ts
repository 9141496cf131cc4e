import { z } from 'zod';
import { ASSESSMENT_STATUSES } from '../../entities/RiskAssessment';
import { RISK_LEVELS } from '../../entities/RiskItem';
import { instant, rectificationSchema } from '../rectifications/rectification.views';

/**
 * R-RISK-MONTHLY: the documented responses of the risk-assessment routes (AssessmentView,
 * AssessmentSummary of assessment.views.ts), for the API document the console is typed from.
 */

export const riskItemSchema = z.strictObject({
  id: z.number().int(),
  description: z.string(),
  likelihood: z.number().int().min(1).max(5),
  impact: z.number().int().min(1).max(5),
  score: z.number().int().min(1).max(25),
  level: z.enum(RISK_LEVELS),
  createdById: z.number().int(),
  createdAt: instant,
  updatedAt: instant,
});

export const indicatorSchema = z.strictObject({
  key: z.string(),
  labelZh: z.string(),
  labelEn: z.string(),
  value: z.number(),
  requirement: z.string(),
});

export const assessmentSummarySchema = z.strictObject({
  id: z.number().int(),
  department: z.string(),
  departmentName: z.string(),
  period: z.string().describe('YYYY-MM'),
  status: z.enum(ASSESSMENT_STATUSES),
  itemCount: z.number().int(),
  submittedAt: instant.nullable(),
  reviewedAt: instant.nullable(),
  createdAt: instant,
});

export const assessmentListSchema = z.strictObject({ items: z.array(assessmentSummarySchema), total: z.number().int() });

const levelCounts = z.strictObject(Object.fromEntries(RISK_LEVELS.map((l) => [l, z.number().int()])) as Record<(typeof RISK_LEVELS)[number], z.ZodNumber>);

export const assessmentSchema = z.strictObject({
  id: z.number().int(),
  department: z.string(),
  departmentName: z.string(),
  period: z.string(),
  status: z.enum(ASSESSMENT_STATUSES),
  indicators: z.array(indicatorSchema),
  indicatorsAsOf: instant,
  items: z.array(riskItemSchema),
  matrix: z.array(z.array(z.number().int())).describe('Risk items per cell: matrix[likelihood - 1][impact - 1]'),
  levelCounts,
  rectifications: z.array(rectificationSchema),
  submittedById: z.number().int().nullable(),
  submittedBy: z.string().nullable(),
  submittedAt: instant.nullable(),
  reviewedById: z.number().int().nullable(),
  reviewedBy: z.string().nullable(),
  reviewedAt: instant.nullable(),
  reviewComment: z.string().nullable(),
  returnedById: z.number().int().nullable(),
  returnedBy: z.string().nullable(),
  returnedAt: instant.nullable(),
  returnReason: z.string().nullable(),
  createdAt: instant,
  updatedAt: instant,
});
