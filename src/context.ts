import { AuditWriter } from './audit/audit-writer';
import type { Config } from './config/env';
import { Database } from './db/database';
import { AuthService } from './features/auth/auth.service';
import { TokenService } from './features/auth/tokens';
import { AccessService } from './features/access/access.service';
import { AuditQueryService } from './audit/audit-query.service';
import { HoldingsRegistry } from './features/holdings/holdings-registry';
import { CustomerService } from './features/customers/customer.service';
import { CustomerImportService } from './features/customers/import/import.service';
import { ExportService } from './features/customers/export/export.service';
import { ReleaseService } from './features/releases/release.service';
import { SurveyService } from './features/survey/survey.service';
import { FieldCipher } from './crypto/field-cipher';
import { Keyring, parseKey } from './crypto/keyring';
import { InventoryService } from './features/inventory/inventory.service';
import { OrgService } from './features/org/org.service';
import { UsersService } from './features/users/users.service';
import type { Logger } from './logger';
import { Authorizer } from './policy/authorizer';
import { PolicyService } from './policy/policy-service';
import { PolicyStore } from './policy/policy-store';

/** Everything a request handler or job may use, built once per process (or per test app). */
export interface AppContext {
  config: Config;
  logger: Logger;
  db: Database;
  policy: PolicyService;
  policyStore: PolicyStore;
  authz: Authorizer;
  audit: AuditWriter;
  tokens: TokenService;
  holdings: HoldingsRegistry;
  auth: AuthService;
  org: OrgService;
  users: UsersService;
  access: AccessService;
  auditQuery: AuditQueryService;
  keyring: Keyring;
  cipher: FieldCipher;
  customers: CustomerService;
  imports: CustomerImportService;
  exports: ExportService;
  releases: ReleaseService;
  surveys: SurveyService;
  inventory: InventoryService;
}

export function buildContext(config: Config, logger: Logger, db: Database): AppContext {
  const policy = new PolicyService(db, logger);
  const policyStore = new PolicyStore();
  const audit = new AuditWriter(db.mysql);
  const authz = new Authorizer(policy, db, audit, logger);
  const tokens = new TokenService(config.jwtSecret, config.accessTokenTtlSeconds);
  const holdings = new HoldingsRegistry();
  const keyring = new Keyring(
    parseKey(config.dataKey, 'DATA_KEY'),
    config.dataKeysPrevious.map((k, i) => parseKey(k, `DATA_KEYS_PREVIOUS[${i}]`)),
    Buffer.from(config.blindIndexKey, 'base64'),
  );
  const cipher = new FieldCipher(keyring);
  const org = new OrgService(db, audit, policy, policyStore);
  const users = new UsersService(db, audit, policy, policyStore, holdings, config);
  const inventory = new InventoryService(db, audit, org);
  const customers = new CustomerService(db, audit, cipher, policy);
  const exports = new ExportService(db, audit, customers);
  holdings.register('inventory_keeper', (m, userId) => inventory.keptBy(m, userId));
  return {
    config,
    logger,
    db,
    policy,
    policyStore,
    authz,
    audit,
    tokens,
    holdings,
    org,
    users,
    auth: new AuthService(db, audit, tokens, config),
    access: new AccessService(db, audit, policy, policyStore, users),
    auditQuery: new AuditQueryService(db),
    keyring,
    cipher,
    customers,
    imports: new CustomerImportService(db, audit, customers, policy, config, logger),
    exports,
    releases: new ReleaseService(db, audit, customers, exports),
    surveys: new SurveyService(db, audit, cipher, customers, authz),
    inventory,
  };
}
