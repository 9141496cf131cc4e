import { In } from 'typeorm';
import { ControlledCopy } from '../../entities/ControlledCopy';
import { Customer } from '../../entities/Customer';
import { PrintRequest } from '../../entities/PrintRequest';
import { ConflictError } from '../../errors';
import { Column, formatDateTime, renderControlledCopyPdf } from '../../lib/documents';
import { refuse } from '../../policy/refusal';
import { maskedCustomerView } from '../customers/customer.views';
import { CopyQueries } from './controlled-copy-queries';
import type { AccessReader } from '../access-log/access-log.service';
import { Acting, IDLE_SQL, OUT_STATUSES, pendingOpen, REVEAL } from './controlled-copy.views';

/** The printout of a controlled copy (R-NO-PAPER): rendering, numbered and audited per download. */
export class CopyRenderer extends CopyQueries {
  /**
   * R-NO-PAPER: the printout of a copy, for its recipient only, while the copy is out with
   * them and within its usage period. Phones and ID numbers are printed in clear only if the
   * request asked for them AND the recipient may reveal them in the project now (customer:reveal);
   * otherwise masked as in every customer view. Each render is audited.
   *
   * A reprint is allowed (a jammed printer) but never silent: each download takes the next print
   * number of the copy (printCount, counted in the same transaction as its audit event), and
   * every page's footer says 第 n 次打印 / print n, so a second paper under one serial shows on
   * the paper and in the ledger.
   */
  async render(actor: Acting, c: ControlledCopy, reader?: AccessReader): Promise<Buffer> {
    const scope = await this.scopeOf(c);
    if (c.holderUserId !== actor.id) {
      await refuse(this.db, this.audit, actor, 'not_recipient', `Only the recipient of ${c.serial} may print it`, {
        action: 'copy.render_refused',
        objectType: 'controlled_copy',
        objectId: c.serial,
        scope,
        reason: 'not the recipient',
      });
    }
    const now = new Date();
    if (!OUT_STATUSES.includes(c.status)) throw new ConflictError('copy_not_out', `Copy ${c.serial} is ${c.status}: it can no longer be printed`);
    if (pendingOpen(c, now)) this.pendingConflict(c, 'printed');
    if (c.expiresAt.getTime() <= now.getTime()) {
      throw new ConflictError('copy_expired', `The usage period of ${c.serial} ended at ${formatDateTime(c.expiresAt, this.config.timezone)} (${this.config.timezone}): return or destroy it`);
    }
    const r = await this.db.manager.getRepository(PrintRequest).findOneByOrFail({ id: c.printRequestId });
    const printPersonal = Boolean(r.includePersonal) && this.authz.decide(actor.id, scope, REVEAL).allowed;
    const ids = r.recordIds ?? [];
    const customers = ids.length
      ? await this.db.manager.getRepository(Customer).find({ where: { id: In(ids), projectId: c.projectId }, order: { id: 'ASC' } })
      : [];
    const users = await this.userRefs([c.holderUserId, r.decidedById]);
    const holder = users.get(c.holderUserId)!;
    const approver = r.decidedById === null ? null : users.get(r.decidedById);
    const columns: Column[] = [
      { key: 'no', zh: '序號', en: 'No.', width: 0.4 },
      { key: 'name', zh: '姓名', en: 'Name', width: 1 },
      { key: 'unit', zh: '房號', en: 'Unit', width: 1.2 },
      { key: 'phones', zh: '電話', en: 'Phones', width: 1.6 },
      { key: 'idNumber', zh: '證件號碼', en: 'ID number', width: 1.4 },
    ];
    const rows = customers.map((cu, i) => {
      const p = this.deps.customers.decryptPersonal(cu, ['phones', 'idNumber']);
      // Masked as in every customer view (the one masking of R-SECRET).
      const masked = maskedCustomerView(cu, '', { phones: p.phones, idNumber: p.idNumber, email: null });
      return {
        no: i + 1,
        name: cu.name,
        unit: cu.unit,
        phones: (printPersonal ? p.phones : masked.phones).join(', '),
        idNumber: p.idNumber ? (printPersonal ? p.idNumber : (masked.idNumber ?? '')) : '',
      };
    });
    // The print number is taken (and audited) before rendering, so two simultaneous downloads get
    // n and n+1; the conditional update also loses to a return or destruction that got in first.
    const printNumber = await this.db.tx(async (m) => {
      const res = await m
        .createQueryBuilder()
        .update(ControlledCopy)
        .set({ printCount: () => 'printCount + 1' })
        .where(`id = :id AND status IN (:...out) AND ${IDLE_SQL}`, { id: c.id, out: OUT_STATUSES, now })
        .execute();
      if (!res.affected) await this.conflict(m, c.serial, 'copy_not_out', 'printed');
      const { printCount } = await m.getRepository(ControlledCopy).findOneOrFail({ where: { id: c.id }, select: { id: true, printCount: true } });
      await this.audit.append(m, actor, {
        action: 'copy.rendered',
        objectType: 'controlled_copy',
        objectId: c.serial,
        scope,
        decision: 'allow',
        after: { records: rows.length, personalPrinted: printPersonal, print: printCount },
      });
      return printCount;
    });
    // R-SECRET: every record on the paper is a read of it by the recipient, revealed when printed in clear; the serial links them.
    this.deps.customers.accessLog.record(reader, 'print', customers.map((cu) => ({ customerId: cu.id, projectId: cu.projectId })), { revealed: printPersonal, ref: c.serial });
    return renderControlledCopyPdf({
      serial: c.serial,
      recipientName: holder.displayName,
      recipientUsername: holder.username,
      expiresAt: c.expiresAt,
      issuedAt: c.issuedAt,
      purpose: r.purpose,
      approvedBy: approver ? `${approver.displayName} (${approver.username})` : '',
      copyNumber: c.copyNumber,
      copiesTotal: c.copiesTotal,
      columns,
      rows,
      printNumber,
      timezone: this.config.timezone,
    });
  }
}
