import { AuditWriter } from './audit/audit-writer';
import { AuditSealer } from './audit/sealer';
import type { Config } from './config/env';
import { Database } from './db/database';
import { AuthService } from './features/auth/auth.service';
import { TokenService } from './features/auth/tokens';
import { AccessService } from './features/access/access.service';
import { AuditQueryService } from './audit/audit-query.service';
import { buildAuditDigests } from './audit/digest/digest-setup';
import type { AuditDigestService } from './audit/digest/digest.service';
import { HoldingsRegistry } from './policy/holdings-registry';
import { HandoverService } from './features/handover/handover.service';
import { IndicatorService } from './features/indicators/indicator.service';
import { RectificationService } from './features/rectifications/rectification.service';
import { AssessmentService } from './features/assessments/assessment.service';
import { PortService } from './features/ports/port.service';
import { InspectionService } from './features/inspections/inspection.service';
import { NoticeService } from './features/notices/notice.service';
import { IncidentService } from './features/incidents/incident.service';
import { SanctionService } from './features/sanctions/sanction.service';
import { CaseService } from './features/cases/case.service';
import { CaseStatisticsService } from './features/cases/case-statistics.service';
import { ControlledCopyService } from './features/paper/controlled-copy.service';
import { AccessLogService } from './features/access-log/access-log.service';
import { LedgerFormService } from './features/paper/ledger-form.service';
import { PrintRequestService } from './features/paper/print-request.service';
import { TwoPersonConfirmations } from './features/confirmations/confirmation.service';
import { NotificationOutbox } from './features/notifications/notification.service';
import { NotificationPreferenceService } from './features/notifications/preference.service';
import { NotificationRobotService } from './features/notifications/robot.service';
import { HealthService } from './features/health/health.service';
import { JobService } from './jobs/job.service';
import { buildJobs } from './jobs/registry';
import { CustomerService } from './features/customers/customer.service';
import { CustomerImportService } from './features/customers/import/import.service';
import { ExportService } from './features/customers/export/export.service';
import { ReleaseService } from './features/releases/release.service';
import { SurveyService } from './features/survey/survey.service';
import { PeopleService } from './features/people/people.service';
import { FieldCipher } from './crypto/field-cipher';
import { Keyring, parseKey } from './crypto/keyring';
import { InventoryService } from './features/inventory/inventory.service';
import { OrgService } from './features/org/org.service';
import { UsersService } from './features/users/user.service';
import { WorkService } from './features/work/work.service';
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
  health: HealthService;
  authz: Authorizer;
  audit: AuditWriter;
  tokens: TokenService;
  holdings: HoldingsRegistry;
  auth: AuthService;
  org: OrgService;
  users: UsersService;
  access: AccessService;
  auditQuery: AuditQueryService;
  /** Signed digests of the audit chain outside the database (issue 14 §1). */
  auditDigests: AuditDigestService;
  /** Journal mode of the trail (issue 16): seals each instance's entries into the one chain. */
  auditSealer: AuditSealer;
  /** Who viewed which customer: queued reads written in hash-linked batches (issue 14 §2). */
  accessLog: AccessLogService;
  keyring: Keyring;
  cipher: FieldCipher;
  customers: CustomerService;
  imports: CustomerImportService;
  exports: ExportService;
  releases: ReleaseService;
  surveys: SurveyService;
  people: PeopleService;
  inventory: InventoryService;
  outbox: NotificationOutbox;
  /** Per-user, per-kind delivery choices (issue 13). */
  preferences: NotificationPreferenceService;
  /** The IT admin's work-chat group robots (issue 13). */
  robots: NotificationRobotService;
  handover: HandoverService;
  rectifications: RectificationService;
  indicators: IndicatorService;
  assessments: AssessmentService;
  ports: PortService;
  inspections: InspectionService;
  notices: NoticeService;
  incidents: IncidentService;
  sanctions: SanctionService;
  cases: CaseService;
  caseStatistics: CaseStatisticsService;
  printRequests: PrintRequestService;
  copies: ControlledCopyService;
  ledgerForm: LedgerFormService;
  jobs: JobService;
  /** "My work" (GET /api/v1/me/work): what waits for the caller, from the other features' rules. */
  work: WorkService;
}

export function buildContext(config: Config, logger: Logger, db: Database): AppContext {
  const policy = new PolicyService(db, logger);
  const policyStore = new PolicyStore();
  const audit = new AuditWriter(db.mysql);
  const auditSealer = new AuditSealer(db, logger);
  // R-AUDIT: the digest signer; reports carry its latest digest in their footer.
  const auditDigests = buildAuditDigests(config, db, audit, logger);
  const latestDigest = () => auditDigests.latest();
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
  // R-SECRET, R-AUDIT (issue 14 §2): every read of customer information is logged, ids only.
  const accessLog = new AccessLogService(db, audit, config.accessLog, logger);
  const customers = new CustomerService(db, audit, cipher, policy, accessLog);
  const outbox = new NotificationOutbox(policy, db, config.timezone);
  const exports = new ExportService(db, audit, customers, outbox);
  holdings.register('inventory_keeper', (m, userId) => inventory.keptBy(m, userId));
  const incidents = new IncidentService(db, audit, policy, outbox);
  // R-REWARD, R-PENALTY: the reward/penalty register; features register their records as its sources.
  const sanctions = new SanctionService(db, audit, policy, config.timezone, outbox, latestDigest);
  sanctions.registerSource('incident', (m, id) => incidents.sanctionSource(m, id));
  // Complaint cases (R-CASE-NO, R-CASE-DEADLINE, R-CASE-CHASE, R-CASE-STATS); R-CASE-SANCTION: responsibility found on a case is a source of the register.
  const cases = new CaseService(db, audit, policy, customers, outbox, config);
  sanctions.registerSource('case', (m, id) => cases.sanctionSource(m, id));
  // R-NO-PAPER, R-HANDOVER-DESTROY: one two-person confirmation ledger for copies and handover files.
  const confirmations = new TwoPersonConfirmations(db, policy, outbox, config.confirmationTtlHours, config.timezone);
  const copies = new ControlledCopyService(db, audit, authz, policy, customers, incidents, outbox, config, confirmations);
  // R-OFFBOARD: copies out with a leaver (or kept by them after a return) block offboarding.
  holdings.register('controlled_copy', (m, userId) => copies.heldBy(m, userId));
  // R-LEDGER-FORM: other ledgers add their lines with ledgerForm.addSource(name, (from, to, projectIds) => rows).
  const ledgerForm = new LedgerFormService(db, audit, copies, config, latestDigest);
  const handover = new HandoverService(db, audit, authz, policy, cipher, outbox, config, logger, confirmations);
  // R-OFFBOARD: a lead holding handover files cannot leave until the IT admin transfers them.
  holdings.register('handover_file', (m, userId) => handover.heldBy(m, userId));
  // R-RISK-MONTHLY, R-INSPECT: rectification actions and the computed indicators, shared by assessments and inspections.
  const rectifications = new RectificationService(db, audit, config.timezone, policy, outbox);
  const indicators = new IndicatorService(db, handover, rectifications, config.timezone, config.accessLog.unusualDailyCustomers);
  // R-INSPECT: bimonthly inspections and the public criticism notices they publish.
  const notices = new NoticeService(db, audit, outbox);
  const inspections = new InspectionService(db, audit, policy, authz, outbox, notices, config, indicators, rectifications, latestDigest);
  sanctions.registerSource('inspection_finding', (m, id) => inspections.findingSource(m, id));
  // R-LEDGER-FORM, R-HANDOVER-DESTROY: destroyed handover files appear in the §7 form beside the paper copies.
  ledgerForm.addSource('handover_file', async (from, to, projectIds) =>
    (await handover.destructionsForLedger(from, to, projectIds)).map((r) => ({
      source: 'handover_file',
      serial: r.serial,
      summary: r.contentSummary,
      requester: r.requester,
      approver: r.approver,
      approvedAt: r.approvedAt,
      signedAt: r.issuedAt,
      signedBy: r.signedBy,
      expiresAt: r.expiry,
      returnedAt: r.returnedAt,
      destroyedAt: r.destroyedAt,
      method: r.method,
      witness: r.witness,
      witnessConfirmedAt: r.witnessConfirmedAt,
      status: r.status,
      at: r.at,
    })),
  );
  const assessments = new AssessmentService(db, audit, authz, indicators, rectifications, outbox, config.timezone, latestDigest);
  const caseStatistics = new CaseStatisticsService(db, audit, config, latestDigest);
  // Each job closes over the services it uses (src/jobs/registry.ts); the jobs never see the context.
  const jobs = new JobService(
    db,
    audit,
    logger,
    config.timezone,
    buildJobs({ db, audit, logger, copies, handover, assessments, rectifications, outbox, inspections, cases, caseStatistics, accessLog, auditDigests }),
    outbox,
  );
  const ctx: AppContext = {
    config,
    logger,
    db,
    policy,
    policyStore,
    health: new HealthService(db, policy),
    authz,
    audit,
    tokens,
    holdings,
    org,
    users,
    auth: new AuthService(db, audit, tokens, config),
    access: new AccessService(db, audit, policy, policyStore, users),
    auditQuery: new AuditQueryService(db, audit, auditDigests),
    auditDigests,
    auditSealer,
    accessLog,
    keyring,
    cipher,
    customers,
    imports: new CustomerImportService(db, audit, customers, policy, config, logger, outbox),
    exports,
    releases: new ReleaseService(db, audit, customers, exports, authz, outbox, config.timezone),
    surveys: new SurveyService(db, audit, cipher, customers, authz),
    people: new PeopleService(db, policy, authz),
    inventory,
    outbox,
    preferences: new NotificationPreferenceService(db, audit),
    robots: new NotificationRobotService(db, audit, cipher, policy, outbox),
    handover,
    rectifications,
    indicators,
    assessments,
    ports: new PortService(db, audit, org),
    inspections,
    notices,
    incidents,
    sanctions,
    cases,
    caseStatistics,
    printRequests: new PrintRequestService(db, audit, authz, policy, copies, config, outbox),
    copies,
    ledgerForm,
    jobs,
    work: new WorkService(db, policy, authz, copies, handover, rectifications, config.timezone),
  };
  return ctx;
}
