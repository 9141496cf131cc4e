import { And, FindOptionsWhere, In, LessThan, MoreThanOrEqual } from 'typeorm';
import { AuditActor, AuditWriter } from '../../audit/audit-writer';
import type { Config } from '../../config/env';
import { Database } from '../../db/database';
import { ControlledCopy } from '../../entities/ControlledCopy';
import { PrintRequest } from '../../entities/PrintRequest';
import { TwoPersonConfirmation } from '../../entities/TwoPersonConfirmation';
import { Column, formatDate, formatDateTime, LatestDigest, Report, reportToCsv, reportToPdf, reportToXlsx } from '../../lib/documents';
import { ControlledCopyService } from './controlled-copy.service';
import { METHOD_LABEL, UserRef, viewStatus } from './controlled-copy.views';
import { projectIdsOfScope } from './scope-projects';

type Acting = AuditActor & { id: number; username: string | null };

/**
 * One line of the §7 Borrowing & Destruction Record Form. Every source (controlled copies here;
 * destroyed handover files later) fills the columns it has and leaves the others null.
 */
export interface LedgerRow {
  /** Which ledger the line comes from, e.g. controlled_copy, handover_file. */
  source: string;
  serial: string;
  /** What the paper held, e.g. "purpose (N records)". */
  summary: string;
  requester: string | null;
  approver: string | null;
  approvedAt: Date | null;
  /** The copy was issued when its recipient signed for it. */
  signedAt: Date | null;
  signedBy: string | null;
  expiresAt: Date | null;
  returnedAt: Date | null;
  /** Who received the returned paper, and when they confirmed receipt (R-NO-PAPER two-person rule); sources without returns leave them out. */
  keeper?: string | null;
  keeperConfirmedAt?: Date | null;
  destroyedAt: Date | null;
  method: string | null;
  witness: string | null;
  /** When the witness confirmed the destruction from their own session (null: not confirmed, or recorded before the rule). */
  witnessConfirmedAt?: Date | null;
  /** When the paper was reported lost (R-PENALTY); sources without losses leave it out. */
  lostAt?: Date | null;
  status: string | null;
  /** Where the line sorts in the form (copies: their first ledger event in the period; other sources: their own event time). */
  at: Date;
}

/**
 * A source of form lines: the lines whose event falls in [from, to) for the given projects
 * (null: the whole company). Sources are registered on LedgerFormService by name.
 */
export type LedgerRowSource = (from: Date, to: Date, projectIds: number[] | null) => Promise<LedgerRow[]>;

export type LedgerFormat = 'csv' | 'xlsx' | 'pdf';

/**
 * The form's columns. In the PDF no column is narrower than its widest serial, date or status
 * word (src/lib/documents/pdf-table.ts): the widths here only share out what is left.
 */
export const LEDGER_COLUMNS: Column[] = [
  { key: 'serial', zh: '編號', en: 'Serial', width: 1.1 },
  { key: 'summary', zh: '內容摘要', en: 'Content summary', width: 2 },
  { key: 'requester', zh: '借閱人', en: 'Requester', width: 1.1 },
  { key: 'approver', zh: '批准人', en: 'Approver', width: 1.1 },
  { key: 'approvedAt', zh: '批准時間', en: 'Approved at', width: 1 },
  { key: 'signedAt', zh: '發放（簽收）時間', en: 'Issued at (signed at)', width: 1 },
  { key: 'signedBy', zh: '簽收人', en: 'Signed by', width: 1.1 },
  { key: 'expiresAt', zh: '使用期限', en: 'Expiry', width: 1 },
  { key: 'returnedAt', zh: '歸還時間', en: 'Returned at', width: 1 },
  { key: 'keeper', zh: '接收人', en: 'Keeper', width: 1.1 },
  { key: 'keeperConfirmedAt', zh: '接收確認時間', en: 'Receipt confirmed at', width: 1 },
  { key: 'destroyedAt', zh: '銷毀時間', en: 'Destroyed at', width: 1 },
  { key: 'method', zh: '銷毀方式', en: 'Method', width: 1 },
  { key: 'witness', zh: '監銷人', en: 'Witness', width: 1.1 },
  { key: 'witnessConfirmedAt', zh: '監銷確認時間', en: 'Witness confirmed at', width: 1 },
  { key: 'lostAt', zh: '遺失時間', en: 'Lost at', width: 1 },
  { key: 'status', zh: '狀態', en: 'Status', width: 0.9 },
];

/** The status column's words, Chinese and English (R-NO-PAPER: pending and lapsed confirmations show as such). */
export const STATUS_LABEL: Record<string, string> = {
  awaiting_signature: '待簽收 awaiting signature',
  issued: '已發放 issued',
  overdue: '逾期 overdue',
  returned: '已歸還 returned',
  destroyed: '已銷毀 destroyed',
  lost: '遺失 lost',
  pending_witness: '待監銷確認 awaiting witness',
  pending_receipt: '待接收確認 awaiting keeper',
  confirmation_expired: '確認逾期 confirmation expired',
};

const CONTENT_TYPE: Record<LedgerFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pdf: 'application/pdf',
};

const name = (u: UserRef | null | undefined): string | null => (u ? `${u.displayName} (${u.username})` : null);

/**
 * The ledger events of a copy (R-LEDGER-FORM): approval (issue), signature, return and the
 * keeper's confirmation of it, destruction and the witness's confirmation of it, loss. A
 * destruction or return recorded and awaiting confirmation is an event too (two_person_confirmation).
 */
const COPY_EVENTS = ['issuedAt', 'signedAt', 'returnedAt', 'keeperConfirmedAt', 'destroyedAt', 'witnessConfirmedAt', 'lostAt'] as const;

/** The earliest of the copy's events inside [from, to), its recorded acts included (the query guarantees there is one). */
function firstEventIn(c: ControlledCopy, from: Date, to: Date, requested: Date[]): Date {
  const inside = [...COPY_EVENTS.map((k) => c[k]), ...requested].filter((d): d is Date => d !== null && d.getTime() >= from.getTime() && d.getTime() < to.getTime());
  return inside.length ? new Date(Math.min(...inside.map((d) => d.getTime()))) : c.issuedAt;
}

/** A local midnight: the period was given as whole days. */
const isDayStart = (d: Date, tz: string) => formatDateTime(d, tz).endsWith(' 00:00');

/**
 * R-LEDGER-FORM (§7): the Borrowing & Destruction Record Form (客戶信息借閱、銷毀記錄表) for any
 * period and scope, as CSV, XLSX or PDF, built from the registered row sources. Producing it is
 * audited (who produced which period and scope).
 */
export class LedgerFormService {
  private readonly sources = new Map<string, LedgerRowSource>();

  constructor(
    private readonly db: Database,
    private readonly audit: AuditWriter,
    private readonly copies: ControlledCopyService,
    private readonly config: Config,
    private readonly latestDigest: LatestDigest,
  ) {
    this.addSource('controlled_copy', (from, to, projectIds) => this.copyRows(from, to, projectIds));
  }

  /** Adds a source of form lines (e.g. the handover files' destruction records). */
  addSource(name: string, source: LedgerRowSource): void {
    if (this.sources.has(name)) throw new Error(`ledger form source ${name} already registered`);
    this.sources.set(name, source);
  }

  sourceNames(): string[] {
    return [...this.sources.keys()];
  }

  /**
   * R-LEDGER-FORM: the controlled copies with any ledger event in [from, to) in the projects:
   * approved (issued), signed for, returned or destroyed (recorded, or confirmed by the keeper or
   * the witness), or reported lost. A copy approved in
   * February and destroyed in March is on both months' forms. One line per copy with all its
   * dates (also those outside the period); it sorts by its first event inside the period, so
   * the form reads in the order things happened in that period, beside the other sources'
   * destructions.
   */
  private async copyRows(from: Date, to: Date, projectIds: number[] | null): Promise<LedgerRow[]> {
    if (projectIds !== null && !projectIds.length) return [];
    const m = this.db.manager;
    const inPeriod = And(MoreThanOrEqual(from), LessThan(to));
    const inProjects: FindOptionsWhere<ControlledCopy> = projectIds !== null ? { projectId: In(projectIds) } : {};
    // Destructions and returns recorded in the period (awaiting confirmation, lapsed, declined or confirmed).
    const acts = await m.getRepository(TwoPersonConfirmation).find({
      where: { objectType: 'controlled_copy', requestedAt: inPeriod, ...(projectIds !== null ? { projectId: In(projectIds) } : {}) },
      select: { id: true, objectId: true, requestedAt: true },
    });
    const requested = new Map<string, Date[]>();
    for (const a of acts) requested.set(a.objectId, [...(requested.get(a.objectId) ?? []), a.requestedAt]);
    const copies = await m.getRepository(ControlledCopy).find({
      // One OR branch per event column: the copy is on the form if any of its events is in the period.
      where: [...COPY_EVENTS.map((k) => ({ ...inProjects, [k]: inPeriod })), ...(requested.size ? [{ ...inProjects, serial: In([...requested.keys()]) }] : [])],
      order: { issuedAt: 'ASC', id: 'ASC' },
    });
    if (!copies.length) return [];
    const requests = new Map((await m.getRepository(PrintRequest).findBy({ id: In([...new Set(copies.map((c) => c.printRequestId))]) })).map((r) => [r.id, r]));
    const users = await this.copies.userRefs([
      ...copies.flatMap((c) => [c.holderUserId, c.witnessUserId, c.returnedToUserId]),
      ...[...requests.values()].map((r) => r.decidedById),
    ]);
    const now = new Date();
    return copies.map((c) => {
      const r = requests.get(c.printRequestId);
      const records = r?.recordIds?.length ?? 0;
      const holder = name(users.get(c.holderUserId));
      return {
        source: 'controlled_copy',
        serial: c.serial,
        summary: `${r?.purpose ?? ''}（${records} 條客戶記錄 / ${records} records; 第 ${c.copyNumber}/${c.copiesTotal} 份）`,
        requester: holder,
        approver: r?.decidedById ? name(users.get(r.decidedById)) : null,
        approvedAt: c.issuedAt,
        signedAt: c.signedAt,
        signedBy: c.signedAt ? holder : null,
        expiresAt: c.expiresAt,
        returnedAt: c.returnedAt,
        keeper: c.returnedToUserId ? name(users.get(c.returnedToUserId)) : null,
        keeperConfirmedAt: c.keeperConfirmedAt,
        destroyedAt: c.destroyedAt,
        method: c.destructionMethod
          ? `${METHOD_LABEL[c.destructionMethod]}${c.destructionNote ? `: ${c.destructionNote}` : ''}${c.destructionPlace ? `; 地點 place: ${c.destructionPlace}` : ''}`
          : null,
        witness: c.witnessUserId ? name(users.get(c.witnessUserId)) : null,
        witnessConfirmedAt: c.witnessConfirmedAt,
        lostAt: c.lostAt,
        status: STATUS_LABEL[viewStatus(c, now)] ?? c.status,
        at: firstEventIn(c, from, to, requested.get(c.serial) ?? []),
      };
    });
  }

  /** Every source's lines for the period and scope, in time order. */
  async rows(from: Date, to: Date, scope: string): Promise<LedgerRow[]> {
    const projectIds = await projectIdsOfScope(this.db.manager, scope);
    const all = (await Promise.all([...this.sources.values()].map((s) => s(from, to, projectIds)))).flat();
    return all.sort((a, b) => a.at.getTime() - b.at.getTime() || a.serial.localeCompare(b.serial));
  }

  report(rows: LedgerRow[], q: { from: Date; to: Date; scope: string }, by: string): Report {
    const tz = this.config.timezone;
    return {
      titleZh: '客戶信息借閱、銷毀記錄表',
      titleEn: 'Borrowing & Destruction Record Form',
      meta: [
        {
          zh: '期間',
          en: 'Period',
          // Whole days read as days, both included (R-LEDGER-FORM); other bounds as [from, to).
          value:
            isDayStart(q.from, tz) && isDayStart(q.to, tz)
              ? `${formatDate(q.from, tz)} – ${formatDate(new Date(q.to.getTime() - 1), tz)}（含首尾兩日 both days included）`
              : `${formatDateTime(q.from, tz)} – ${formatDateTime(q.to, tz)}（不含終點 end excluded）`,
        },
        { zh: '範圍', en: 'Scope', value: q.scope === '*' ? '全公司 whole company (*)' : q.scope },
        { zh: '記錄數', en: 'Lines', value: rows.length },
      ],
      sections: [
        {
          columns: LEDGER_COLUMNS,
          rows: rows.map((r) => ({ ...r })),
          emptyText: '（本期間無借閱或銷毀記錄）No borrowing or destruction in this period',
        },
      ],
      generatedAt: new Date(),
      generatedBy: by,
      timezone: tz,
    };
  }

  /** R-LEDGER-FORM: the form as a file, audited. */
  async produce(actor: Acting, q: { from: Date; to: Date; scope: string; format: LedgerFormat }): Promise<{ body: Buffer; contentType: string; filename: string; rows: number }> {
    const rows = await this.rows(q.from, q.to, q.scope);
    // R-AUDIT: the §7 form carries the latest signed audit digest.
    const report = { ...this.report(rows, q, actor.username ?? String(actor.id)), auditDigest: await this.latestDigest() };
    const body =
      q.format === 'csv' ? Buffer.from(reportToCsv(report), 'utf8') : q.format === 'xlsx' ? await reportToXlsx(report) : await reportToPdf(report, { landscape: true });
    await this.db.tx((m) =>
      this.audit.append(m, actor, {
        action: 'ledger_form.produced',
        objectType: 'ledger_form',
        scope: q.scope,
        decision: 'allow',
        after: { from: q.from, to: q.to, format: q.format, rows: rows.length },
      }),
    );
    // Named by the local dates the period covers: [2026-03-01, 2026-04-01) is …_2026-03-01_2026-03-31.
    const tz = this.config.timezone;
    const first = formatDate(q.from, tz);
    const last = formatDate(new Date(q.to.getTime() - 1), tz);
    const scopeName = q.scope === '*' ? 'company' : q.scope.replace(':', '-');
    return { body, contentType: CONTENT_TYPE[q.format], filename: `ledger-form_${scopeName}_${first}_${last}.${q.format}`, rows: rows.length };
  }
}
