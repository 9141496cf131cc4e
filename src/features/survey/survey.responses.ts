import { z } from 'zod';
import { SURVEY_NOTE_STATUSES, SURVEY_SOURCES } from '../../entities/SurveyNote';

/**
 * Response shapes of the survey-note routes, for the API document (the console's typed client).
 * R-SURVEY-REDACT: a note's `text` is always the redacted text; only `/original` answers the
 * original, and `removed` names kinds and counts, never values.
 */
const isoDate = z.string().describe('ISO 8601 date-time');

export const surveyNoteViewSchema = z.strictObject({
  id: z.number().int(),
  project: z.string(),
  unit: z.string().nullable(),
  customerId: z.number().int().nullable(),
  source: z.enum(SURVEY_SOURCES),
  status: z.enum(SURVEY_NOTE_STATUSES),
  text: z.string().describe('Redacted: phone numbers, ID numbers, emails and employers replaced by placeholders'),
  removed: z.record(z.string(), z.number().int()).describe('Kind of detail -> how many were removed (never the values)'),
  reconciledCustomerIds: z.array(z.number().int()),
  createdAt: isoDate,
  archivedAt: isoDate.nullable(),
});

export const surveyNotePageSchema = z.strictObject({ items: z.array(surveyNoteViewSchema), total: z.number().int().nonnegative() });

export const surveyOriginalSchema = z.strictObject({ id: z.number().int(), text: z.string() });

/** Reconciling answers the note and the changed customer, masked (R-SECRET). */
export const surveyReconciledSchema = z.strictObject({
  note: surveyNoteViewSchema,
  customer: z.looseObject({ id: z.number().int(), project: z.string(), name: z.string(), masked: z.literal(true) }),
});
