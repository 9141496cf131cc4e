import { Not, IsNull } from 'typeorm';
import { SYSTEM_ACTOR } from '../audit/audit-writer';
import type { AppContext } from '../context';
import { Customer } from '../entities/Customer';
import { SurveyNote } from '../entities/SurveyNote';

export interface RotationResult {
  to: string;
  customers: number;
  surveyNotes: number;
  /** Handover files whose per-file key was re-wrapped under the current key (R-HANDOVER-HOLD). */
  handoverFileKeys: number;
}

const BATCH = 200;

/**
 * npm run keys:rotate: re-encrypts every value not yet under the current DATA_KEY (the old key
 * must still be listed in DATA_KEYS_PREVIOUS). Batches commit one by one with an audit event
 * each, so an interrupted rotation resumes where it stopped; values are never written in clear.
 */
export async function rotateKeys(ctx: AppContext): Promise<RotationResult> {
  const to = ctx.cipher.currentKeyId;
  const result: RotationResult = { to, customers: 0, surveyNotes: 0, handoverFileKeys: 0 };
  for (;;) {
    const n = await ctx.db.tx(async (m) => {
      const batch = await m.getRepository(Customer).find({ where: { keyId: Not(to) }, order: { id: 'ASC' }, take: BATCH });
      for (const c of batch) {
        const from = c.keyId;
        ctx.customers.encryptPersonal(c, ctx.customers.decryptPersonal(c));
        await m.getRepository(Customer).update({ id: c.id, keyId: from }, {
          keyId: c.keyId,
          phonesEnc: c.phonesEnc,
          idNumberEnc: c.idNumberEnc,
          employerEnc: c.employerEnc,
          emailEnc: c.emailEnc,
          emergencyContactEnc: c.emergencyContactEnc,
        });
      }
      const notes = await m.getRepository(SurveyNote).find({ where: { keyId: Not(to), rawEnc: Not(IsNull()) }, order: { id: 'ASC' }, take: BATCH });
      for (const note of notes) {
        const raw = ctx.cipher.decrypt(note.rawEnc!, 'surveyNote', note.keyId!);
        await m.getRepository(SurveyNote).update({ id: note.id }, { rawEnc: ctx.cipher.encrypt(raw, 'surveyNote'), keyId: to });
      }
      if (batch.length || notes.length) {
        await ctx.audit.append(m, SYSTEM_ACTOR, {
          action: 'crypto.keys_rotated',
          objectType: 'data_key',
          objectId: to,
          after: { customers: batch.length, surveyNotes: notes.length, to },
        });
      }
      // Counted after commit: a retried batch (db.tx runs it again) is counted once.
      return { customers: batch.length, surveyNotes: notes.length };
    });
    result.customers += n.customers;
    result.surveyNotes += n.surveyNotes;
    if (n.customers + n.surveyNotes === 0) break;
  }
  // Without this, dropping the old key from DATA_KEYS_PREVIOUS would leave every file unreadable.
  result.handoverFileKeys = await ctx.handover.rewrapKeys();
  return result;
}
