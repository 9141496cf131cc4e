import { z } from 'zod';
import { RECTIFICATION_SOURCES, RECTIFICATION_STATUSES, RectificationSource, RectificationStatus } from '../../entities/Rectification';

/**
 * The shapes of a rectification (R-RISK-MONTHLY, R-INSPECT): as the register shows it, as a
 * source opens it, and the changes its routes accept (the assessment's, the owner's and the
 * inspection's own route share them).
 */

export interface RectificationView {
  id: number;
  sourceType: RectificationSource;
  sourceId: number;
  /** Department code (assessment findings; also set for project findings when known). */
  department: string | null;
  /** Project code (inspection findings). */
  project: string | null;
  description: string;
  ownerUserId: number;
  ownerUsername: string | null;
  /** Local date (config.timezone): due by the end of that day. */
  dueDate: string;
  status: RectificationStatus;
  /** Not done and its due date has passed (today in config.timezone). */
  overdue: boolean;
  evidenceNotes: string | null;
  doneAt: Date | null;
  createdById: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface OpenRectificationInput {
  sourceType: RectificationSource;
  sourceId: number;
  departmentId: number | null;
  projectId: number | null;
  description: string;
  ownerUserId: number;
  /** YYYY-MM-DD, today or later in config.timezone. */
  dueDate: string;
}

export interface RectificationChanges {
  status?: RectificationStatus;
  evidenceNotes?: string;
  /** Hand the action to another (active) owner, e.g. when the owner leaves. */
  ownerUserId?: number;
}

/** What the owner records on their own action: progress and evidence, never a new owner. */
export type OwnerChanges = Pick<RectificationChanges, 'status' | 'evidenceNotes'>;

export const rectificationChangesBody = z
  .strictObject({
    status: z.enum(RECTIFICATION_STATUSES).optional(),
    evidenceNotes: z.string().trim().min(1).max(5000).optional(),
    ownerUserId: z.number().int().positive().optional(),
  })
  .refine((v) => Object.keys(v).length > 0, { message: 'nothing to change', path: [] });

/** What an owner may change on their own action: progress and evidence; reassigning is the head's (or the inspector's). */
export const ownerChangesBody = z
  .strictObject({
    status: z.enum(RECTIFICATION_STATUSES).optional(),
    evidenceNotes: z.string().trim().min(1).max(5000).optional(),
  })
  .refine((v) => Object.keys(v).length > 0, { message: 'nothing to change', path: [] });

/**
 * The documented shape of a rectification as the register shows it (RectificationView), for the
 * API document the console is typed from (R-RISK-MONTHLY, R-INSPECT). Instants are ISO 8601
 * strings on the wire.
 */
export const instant = z.string().describe('An instant, ISO 8601');

export const rectificationSchema = z.strictObject({
  id: z.number().int(),
  sourceType: z.enum(RECTIFICATION_SOURCES),
  sourceId: z.number().int(),
  department: z.string().nullable(),
  project: z.string().nullable(),
  description: z.string(),
  ownerUserId: z.number().int(),
  ownerUsername: z.string().nullable(),
  dueDate: z.string().describe('Local day YYYY-MM-DD: due by its end'),
  status: z.enum(RECTIFICATION_STATUSES),
  overdue: z.boolean(),
  evidenceNotes: z.string().nullable(),
  doneAt: instant.nullable(),
  createdById: z.number().int(),
  createdAt: instant,
  updatedAt: instant,
});

/**
 * R-RISK-MONTHLY, R-INSPECT: the filter of GET /api/v1/me/rectifications. `not_done` is open and
 * in progress together (what still waits for the owner); no status lists every one.
 */
export const MY_RECTIFICATION_FILTERS = [...RECTIFICATION_STATUSES, 'not_done'] as const;
export type MyRectificationFilter = (typeof MY_RECTIFICATION_FILTERS)[number];

export interface MyRectificationQuery {
  status?: MyRectificationFilter;
  limit: number;
  offset: number;
}

/**
 * One of the caller's own rectifications, with what its owner needs to recognise the source
 * without reading it (an owner often may not read assessments or inspections): the assessment's
 * month (YYYY-MM) or the inspection's bimonthly period (2026-B6). Null when the source is gone.
 */
export interface MyRectificationView extends RectificationView {
  sourcePeriod: string | null;
}

export const myRectificationSchema = rectificationSchema.extend({
  sourcePeriod: z.string().nullable().describe("The assessment's month (YYYY-MM) or the inspection's period (YYYY-Bn); null if the source no longer exists"),
});

export const myRectificationListSchema = z.strictObject({
  items: z.array(myRectificationSchema),
  total: z.number().int().describe('How many match the filter, all pages together'),
});
