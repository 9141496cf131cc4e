import { z } from 'zod';
import type { AppContext } from '../../context';
import { NATIONALITY_CLASSES } from '../../entities/Customer';
import { SurveyNote, SURVEY_NOTE_STATUSES, SURVEY_SOURCES } from '../../entities/SurveyNote';
import { acting, loaded, permission, projectInBody, projectInQuery, recordScope, route, RouteSpec } from '../../api/route';
import { code, idParam, pageQuery } from '../../api/validate';
import { readerOf } from '../access-log/access-log.service';
import { surveyNotePageSchema, surveyNoteViewSchema, surveyOriginalSchema, surveyReconciledSchema } from './survey.responses';

/** R-SURVEY-REDACT: notes in, reconciliation into control data, redacted archive. */
export function surveyRoutes(ctx: AppContext): RouteSpec[] {
  const noteScope = recordScope('note', (id) => ctx.surveys.load(Number(id)), (n) => ctx.surveys.scopeOf(n));
  const note = (locals: Record<string, unknown>) => loaded<SurveyNote>(locals, 'note');
  const optional = (max: number) => z.string().trim().max(max).nullable().optional();

  return [
    route({
      method: 'post',
      path: '/api/v1/survey-notes',
      summary: 'Post the notes of an interview or census for a customer or unit (kept encrypted until reconciled)',
      tags: ['survey notes'],
      access: permission('survey_note', 'create', projectInBody),
      body: z.strictObject({
        project: code,
        source: z.enum(SURVEY_SOURCES),
        unit: optional(200),
        customerId: z.number().int().positive().nullable().optional(),
        text: z.string().trim().min(1).max(20000),
      }),
      status: 201,
      response: surveyNoteViewSchema,
      handler: ({ body, auditActor }) => {
        const { project, ...input } = body;
        return ctx.surveys.create(acting(auditActor), project, input);
      },
    }),
    route({
      method: 'get',
      path: '/api/v1/survey-notes',
      summary: "A project's survey notes, always redacted",
      tags: ['survey notes'],
      access: permission('survey_note', 'read', projectInQuery),
      query: z.strictObject({ project: code, status: z.enum(SURVEY_NOTE_STATUSES).optional(), ...pageQuery }),
      response: surveyNotePageSchema,
      handler: ({ query }) => ctx.surveys.list(query.project, query),
    }),
    route({
      method: 'get',
      path: '/api/v1/survey-notes/:id',
      summary: 'One survey note, redacted',
      tags: ['survey notes'],
      access: permission('survey_note', 'read', noteScope),
      params: idParam,
      response: surveyNoteViewSchema,
      handler: async ({ locals }) => ctx.surveys.view(note(locals)),
    }),
    route({
      method: 'get',
      path: '/api/v1/survey-notes/:id/original',
      summary: 'The original text, for reconciling it (clerk; audited; gone once archived)',
      tags: ['survey notes'],
      access: permission('survey_note', 'update', noteScope),
      params: idParam,
      response: surveyOriginalSchema,
      handler: async ({ locals, auditActor, res }) => {
        res.setHeader('Cache-Control', 'no-store');
        return ctx.surveys.viewOriginal(acting(auditActor), note(locals), undefined, readerOf(auditActor, res));
      },
    }),
    route({
      method: 'post',
      path: '/api/v1/survey-notes/:id/original',
      summary: 'The original text for a stated reason (the console asks for it; the audit event keeps the reason, never the text)',
      tags: ['survey notes'],
      // Same permission as the GET: the reason is recorded, it grants nothing more.
      access: permission('survey_note', 'update', noteScope),
      params: idParam,
      body: z.strictObject({ reason: z.string().trim().min(5).max(500) }),
      response: surveyOriginalSchema,
      handler: async ({ locals, body, auditActor, res }) => {
        res.setHeader('Cache-Control', 'no-store');
        return ctx.surveys.viewOriginal(acting(auditActor), note(locals), body.reason, readerOf(auditActor, res));
      },
    }),
    route({
      method: 'post',
      path: '/api/v1/survey-notes/:id/reconcile',
      summary: 'Apply what the note says to a customer record of the same project',
      tags: ['survey notes'],
      access: permission('survey_note', 'update', noteScope),
      params: idParam,
      body: z.strictObject({
        customerId: z.number().int().positive(),
        changes: z
          .strictObject({
            unit: z.string().trim().min(1).max(200).optional(),
            nationality: z.enum(NATIONALITY_CLASSES).optional(),
            phones: z.array(z.string().min(3).max(40)).max(5).optional(),
            idNumber: optional(30),
            employer: optional(200),
            email: optional(200),
            emergencyContact: optional(200),
            notes: optional(4000),
          })
          .refine((c) => Object.keys(c).length > 0, { message: 'nothing to change' }),
      }),
      response: surveyReconciledSchema,
      handler: ({ locals, body, auditActor }) => ctx.surveys.reconcile(acting(auditActor), note(locals), body.customerId, body.changes),
    }),
    route({
      method: 'post',
      path: '/api/v1/survey-notes/:id/archive',
      summary: 'Archive the note without phone numbers, ID numbers, emails or employers; the original is destroyed (the customer manager once the clerk has reconciled it: 409 before)',
      tags: ['survey notes'],
      // R-SURVEY-REDACT (§5.2.2.4): archiving is the customer manager's step, a permission of its own:
      // it grants neither reconciliation nor the original text (survey_note:update).
      access: permission('survey_note', 'archive', noteScope),
      params: idParam,
      response: surveyNoteViewSchema,
      handler: ({ locals, auditActor }) => ctx.surveys.archive(acting(auditActor), note(locals)),
    }),
  ];
}
