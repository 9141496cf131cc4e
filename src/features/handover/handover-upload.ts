import crypto from 'node:crypto';
import type { Readable } from 'node:stream';
import type { AuditWriter } from '../../audit/audit-writer';
import type { Config } from '../../config/env';
import type { Database } from '../../db/database';
import { HandoverFile } from '../../entities/HandoverFile';
import type { Project } from '../../entities/Project';
import { AppError } from '../../errors';
import { checkContent } from './content-check';
import type { HandoverFileStore } from './file-store';
import { Acting, serialOf } from './handover-access';
import type { HandoverFileView, HandoverViews } from './handover.views';
import { receiveBody } from './upload';

/**
 * Taking a handover file into custody (R-HANDOVER-HOLD): the upload is size-limited, checked by
 * content (./content-check.ts), encrypted under its own key and recorded with the uploader as
 * its holder, with its audit event in the same transaction.
 */
export class HandoverUploads {
  constructor(
    private readonly db: Database,
    private readonly audit: AuditWriter,
    private readonly config: Config,
    private readonly store: HandoverFileStore,
    private readonly views: HandoverViews,
  ) {}

  /** Receives the raw body (size-limited), then stores it (R-HANDOVER-HOLD). */
  async upload(actor: Acting, projectCode: string, fileName: string, body: Readable & { headers: Record<string, string | string[] | undefined> }): Promise<HandoverFileView> {
    const project = await this.views.projectByCode(projectCode);
    const bytes = await receiveBody(body, this.config.handoverMaxBytes);
    return this.storeFile(actor, project, fileName, bytes);
  }

  /**
   * Checks the content (type by content, never by name), hashes the plaintext, encrypts it under
   * a new file key and records the file with the uploader as its holder. The ciphertext is
   * written first: a crash before the record leaves only an unreadable orphan (its key existed in
   * memory only), which the start-up sweep removes.
   */
  async storeFile(actor: Acting, project: Project, fileName: string, bytes: Buffer): Promise<HandoverFileView> {
    if (bytes.length === 0) throw new AppError(400, 'empty_file', 'The file is empty');
    if (bytes.length > this.config.handoverMaxBytes) {
      throw new AppError(413, 'payload_too_large', `The file is larger than the handover file limit of ${this.config.handoverMaxBytes} bytes`, { limit: this.config.handoverMaxBytes });
    }
    const format = await checkContent(bytes, fileName);
    const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
    const sealed = await this.store.seal(bytes);
    const scope = `project:${project.code}`;
    let f: HandoverFile;
    try {
      f = await this.db.tx(async (m) => {
        const f = m.getRepository(HandoverFile).create({
          projectId: project.id,
          fileName,
          format,
          byteSize: bytes.length,
          sha256,
          storageName: sealed.storageName,
          wrappedKey: sealed.wrappedKey,
          keyId: sealed.keyId,
          status: 'held',
          holderId: actor.id,
          uploadedById: actor.id,
          uploadedAt: new Date(),
          entryReportedById: null,
          entryReportedAt: null,
          entryRecords: null,
          entryNote: null,
          confirmedById: null,
          confirmedAt: null,
          destructionDeadline: null,
          destructionId: null,
          destroyedAt: null,
          confirmationId: null,
          confirmationDueAt: null,
        });
        await m.getRepository(HandoverFile).insert(f);
        await this.audit.append(m, actor, {
          action: 'handover_file.uploaded',
          objectType: 'handover_file',
          objectId: f.id,
          scope,
          after: { serial: serialOf(f.id), fileName, format, byteSize: f.byteSize, sha256, holderId: actor.id },
        });
        return f;
      });
    } catch (err) {
      // Not recorded: the sealed bytes go. Only here: once the record has committed, the file is held.
      await this.store.unlink(sealed.storageName).catch(() => undefined);
      throw err;
    }
    return this.views.fullView(f);
  }
}
