import { Entity, Index } from 'typeorm';
import { CasbinRule } from 'typeorm-adapter';

/**
 * typeorm-adapter's casbin_rule entity with the indexes our queries need: memberships of a
 * user (ptype, v0) and holders of a role (ptype, v1). The adapter is given this class
 * (customCasbinRuleEntity), so it loads from the same table.
 */
@Entity('casbin_rule')
@Index('idx_casbin_rule_v0', ['ptype', 'v0'])
@Index('idx_casbin_rule_v1', ['ptype', 'v1'])
export class PolicyRule extends CasbinRule {}
