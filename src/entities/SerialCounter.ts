import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The last number handed out under a serial prefix (e.g. "CC-2611" for controlled copies of
 * November 2026). Allocation locks the row (FOR UPDATE on MySQL) in the transaction that uses
 * the numbers, so two approvals at once never get the same serial (R-NO-PAPER).
 */
@Entity('serial_counter')
export class SerialCounter {
  @PrimaryColumn({ type: 'varchar', length: 20 })
  prefix: string;

  @Column({ type: 'int' })
  lastValue: number;
}
