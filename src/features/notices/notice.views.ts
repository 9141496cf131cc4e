import { z } from 'zod';
import { NOTICE_KINDS } from '../../entities/Notice';
import { instant } from '../rectifications/rectification.views';

/** R-INSPECT: the documented shape of a notice (NoticeView of notice.service.ts) for the API document. */
export const noticeSchema = z.strictObject({
  id: z.number().int(),
  kind: z.enum(NOTICE_KINDS),
  project: z.string().nullable(),
  projectName: z.string().nullable(),
  department: z.string().nullable(),
  inspectionId: z.number().int().nullable(),
  title: z.string(),
  body: z.string(),
  publishedAt: instant,
  publishedBy: z.strictObject({ id: z.number().int(), username: z.string().nullable(), displayName: z.string().nullable() }),
  automatic: z.boolean(),
});

export const noticeListSchema = z.strictObject({ items: z.array(noticeSchema), total: z.number().int() });
