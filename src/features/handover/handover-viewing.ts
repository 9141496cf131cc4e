import crypto from 'node:crypto';
import { EntityManager } from 'typeorm';
import type { AuditWriter } from '../../audit/audit-writer';
import type { Config } from '../../config/env';
import { Database, forUpdate } from '../../db/database';
import { HandoverDelegation } from '../../entities/HandoverDelegation';
import { HandoverFile, HandoverFormat } from '../../entities/HandoverFile';
import { ConflictError, ErrorCode } from '../../errors';
import { formatDateTime, stampPdf } from '../../lib/documents';
import type { HandoverFileStore } from './file-store';
import { rowPage } from './file-viewer';
import { Acting, ensureNotDestroyed, Refusals, serialOf } from './handover-access';
import type { ContentView, HandoverViews } from './handover.views';

/**
 * Viewing the content of a handover file (R-HANDOVER-HOLD: view only): who may (the holder, or a
 * clerk through an open delegation, re-checked inside the transaction that records the view), the
 * rendering (rows as JSON, PDFs stamped on every page) and the holder's download.
 */
export class HandoverViewing {
  constructor(
    private readonly db: Database,
    private readonly audit: AuditWriter,
    private readonly config: Config,
    private readonly store: HandoverFileStore,
    private readonly refusals: Refusals,
    private readonly views: HandoverViews,
  ) {}

  /**
   * Who may see the content: the holder, or a clerk with a delegation that is neither expired
   * nor ended. Returns the delegation the clerk views through (null for the holder).
   */
  private async viewDecision(actor: Acting, f: HandoverFile, m: EntityManager): Promise<{ through: HandoverDelegation | null } | { code: ErrorCode; message: string }> {
    if (f.holderId === actor.id) return { through: null };
    const latest = await m.getRepository(HandoverDelegation).findOne({ where: { fileId: f.id, clerkId: actor.id }, order: { id: 'DESC' } });
    if (!latest) return { code: 'no_delegation', message: `${serialOf(f.id)} has not been delegated to you: only its holder and a clerk it is delegated to may view it` };
    if (latest.endReason === 'revoked') return { code: 'delegation_revoked', message: `Your view access to ${serialOf(f.id)} was revoked` };
    if (latest.endedAt) return { code: 'delegation_ended', message: `Your view access to ${serialOf(f.id)} has ended (${latest.endReason})` };
    if (latest.expiresAt <= new Date()) return { code: 'delegation_expired', message: `Your view access to ${serialOf(f.id)} expired at ${latest.expiresAt.toISOString()}` };
    return { through: latest };
  }

  private async viewAccess(actor: Acting, f: HandoverFile, scope: string, action: string): Promise<HandoverDelegation | null> {
    const d = await this.viewDecision(actor, f, this.db.manager);
    if ('code' in d) return this.refusals.refuse(actor, f, scope, action, d.code, d.message);
    return d.through;
  }

  /**
   * Runs `work` in a transaction that first re-checks the view access (a revocation or
   * destruction committed meanwhile wins). A refusal found inside is recorded after the
   * transaction has rolled back (SQLite runs one transaction at a time: never nest them).
   */
  async withViewAccess<T>(actor: Acting, f: HandoverFile, scope: string, action: string, work: (m: EntityManager, through: HandoverDelegation | null, current: HandoverFile) => Promise<T>): Promise<T> {
    let denied: { code: ErrorCode; message: string } | null = null;
    const result = await this.db.tx(async (m) => {
      denied = null; // each attempt decides afresh (db.tx may run this again)
      const current = await m.getRepository(HandoverFile).findOne({ where: { id: f.id }, ...forUpdate(this.db.mysql) });
      ensureNotDestroyed(current!);
      const d = await this.viewDecision(actor, current!, m);
      if ('code' in d) {
        denied = d;
        return null;
      }
      return { value: await work(m, d.through, current!) };
    });
    if (!result) {
      const d = denied as unknown as { code: ErrorCode; message: string };
      return this.refusals.refuse(actor, f, scope, action, d.code, d.message);
    }
    return result.value;
  }

  /**
   * A view (R-HANDOVER-HOLD: view only): spreadsheet and CSV rows as JSON with a view stamp, a
   * PDF stamped with the viewer and the time on every page. Each view is one audit event,
   * written after the access is re-checked in the same transaction (a revocation or destruction
   * committed meanwhile wins).
   */
  async view(actor: Acting, f: HandoverFile, q: { page: number; pageSize: number; sheet?: number }): Promise<ContentView> {
    ensureNotDestroyed(f);
    const scope = await this.views.scopeOf(f);
    await this.viewAccess(actor, f, scope, 'view');
    const plain = await this.open(f);
    const now = new Date();
    const viewer = actor.username ?? `user ${actor.id}`;
    let result: ContentView;
    if (f.format === 'pdf') {
      result = { kind: 'pdf', fileName: f.fileName, pdf: await stampPdf(plain, `VIEW ONLY - ${serialOf(f.id)} - viewed by ${viewer} - ${formatDateTime(now, this.config.timezone)} (${this.config.timezone})`) };
    } else {
      const sheet = f.format === 'xlsx' ? (q.sheet ?? 1) : null;
      const page = await rowPage(plain, f.format, q.page, q.pageSize, sheet ?? 1);
      result = {
        kind: 'rows',
        body: {
          id: f.id,
          serial: serialOf(f.id),
          fileName: f.fileName,
          format: f.format,
          sheet,
          sheetCount: page.sheetCount,
          page: q.page,
          pageSize: q.pageSize,
          totalRows: page.totalRows,
          rows: page.rows,
          stamp: { viewer, viewedAt: now, notice: 'view only' },
        },
      };
    }
    plain.fill(0);
    await this.withViewAccess(actor, f, scope, 'view', async (m, through) => {
      await this.audit.append(m, actor, {
        action: 'handover_file.viewed',
        objectType: 'handover_file',
        objectId: f.id,
        scope,
        after: { serial: serialOf(f.id), format: f.format, delegationId: through?.id ?? null, ...(result.kind === 'rows' ? { page: q.page, pageSize: q.pageSize, sheet: result.body.sheet, rows: result.body.rows.length } : { stamped: true }) },
      });
    });
    return result;
  }

  /** The original file, for its holder only (the route requires handover_file:hold; clerks never download). */
  async download(actor: Acting, f: HandoverFile): Promise<{ bytes: Buffer; fileName: string; format: HandoverFormat }> {
    ensureNotDestroyed(f);
    const scope = await this.views.scopeOf(f);
    await this.views.requireHolder(actor, f, scope, 'download');
    const bytes = await this.open(f);
    await this.db.tx(async (m) => {
      const current = await m.getRepository(HandoverFile).findOneByOrFail({ id: f.id });
      ensureNotDestroyed(current);
      if (current.holderId !== actor.id) throw new ConflictError('holder_changed', `${serialOf(f.id)} has passed to another holder`);
      await this.audit.append(m, actor, { action: 'handover_file.downloaded', objectType: 'handover_file', objectId: f.id, scope, after: { serial: serialOf(f.id), sha256: f.sha256 } });
    });
    return { bytes, fileName: f.fileName, format: f.format };
  }

  private async open(f: HandoverFile): Promise<Buffer> {
    // No wrapped key means the file has been crypto-shredded: gone, whatever its loaded status said.
    if (!f.wrappedKey || !f.keyId) ensureNotDestroyed({ ...f, status: 'destroyed' });
    const plain = await this.store.open(f.storageName, f.wrappedKey!, f.keyId!);
    // A tampered or substituted file would not decrypt (GCM); the hash is checked as well.
    if (crypto.createHash('sha256').update(plain).digest('hex') !== f.sha256) throw new Error(`handover file ${serialOf(f.id)}: content does not match its recorded SHA-256`);
    return plain;
  }
}
