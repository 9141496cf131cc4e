import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * One casbin policy line (R-IT-PERMS): a `p` line of a role template or a `g` line (user, role,
 * scope). The table keeps the layout of casbin's TypeORM adapter, which the first migrations
 * created, so existing databases need no change; the policy service reads and writes it with
 * plain queries (src/policy/policy-store.ts), so the adapter package is no longer needed (it
 * also loaded the MongoDB driver, ~130 modules, into every process that imported it).
 * Indexes: memberships of a user (ptype, v0) and holders of a role (ptype, v1).
 */
@Entity('casbin_rule')
@Index('idx_casbin_rule_v0', ['ptype', 'v0'])
@Index('idx_casbin_rule_v1', ['ptype', 'v1'])
export class PolicyRule {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ nullable: true })
  ptype!: string;

  @Column({ nullable: true })
  v0!: string;

  @Column({ nullable: true })
  v1!: string;

  @Column({ nullable: true })
  v2!: string;

  @Column({ nullable: true })
  v3!: string;

  @Column({ nullable: true })
  v4!: string;

  @Column({ nullable: true })
  v5!: string;

  @Column({ nullable: true })
  v6!: string;
}
