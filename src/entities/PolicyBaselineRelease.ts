import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A release of the baseline policy (a `# @since <tag>` group of policies/policy.csv) that this
 * database has received: an installation gets each release's lines once, so a line the IT admin
 * removes afterwards is never brought back by a later start (R-IT-PERMS).
 */
@Entity('policy_baseline_release')
export class PolicyBaselineRelease {
  @PrimaryColumn({ type: 'varchar', length: 40 })
  tag: string;

  @Column({ type: 'datetime', precision: 3 })
  appliedAt: Date;
}
