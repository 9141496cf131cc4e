import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** Thrown when the service must not start with the configuration it was given. */
export class ConfigError extends Error {}

function auditChainMode(v: string | undefined): Config['auditChain'] {
  if (!v) return 'auto';
  if (v === 'auto' || v === 'direct' || v === 'journal') return v;
  throw new ConfigError(`AUDIT_CHAIN must be auto, direct or journal, got "${v}"`);
}

export interface Config {
  nodeEnv: 'production' | 'development' | 'test';
  port: number;
  /** `sqlite:<file>` or `mysql://user:pass@host:port/db`. */
  databaseUrl: string;
  jwtSecret: crypto.KeyObject;
  accessTokenTtlSeconds: number;
  /** Browser sessions (the console): idle timeout, sliding with every request, and the longest a session lasts. */
  sessionIdleSeconds: number;
  sessionMaxSeconds: number;
  bootstrapAdminPassword?: string;
  bcryptRounds: number;
  loginRateLimitPerMinute: number;
  policyPollMs: number;
  bodyLimit: string;
  /** Customer imports: largest upload in bytes (413 above), temp-file directory, rows processed inline. */
  importMaxBytes: number;
  importDir: string;
  importInlineRows: number;
  /** Handover files (R-HANDOVER-HOLD, R-HANDOVER-DESTROY): encrypted store, upload limit, longest clerk delegation, days from confirmation to destruction. */
  handoverStorageDir: string;
  handoverMaxBytes: number;
  handoverMaxDelegationDays: number;
  handoverDestructionDays: number;
  logLevel: string;
  jobsEnabled: boolean;
  timezone: string;
  /** Personal-field encryption (R-SECRET at rest): "<keyId>:<base64 32 bytes>". */
  dataKey: string;
  dataKeysPrevious: string[];
  blindIndexKey: string;
  /** R-PRINT-APPROVE: the longest usage period (days) a print request may ask for. */
  printMaxUsageDays: number;
  /** Complaint procedure 第十一條 (核決權限): who decides a case up to which amount, e.g. "project_manager:500,dept_head:5000,general_manager:*" (parsed by src/features/cases/approval-limits.ts). */
  caseApprovalLimits: string;
  /** R-NO-PAPER, R-HANDOVER-DESTROY: hours a named witness or keeper has to confirm (or decline) a destruction or a return before the request lapses. */
  confirmationTtlHours: number;
  /** Notification delivery (docs/notifications.md); see NotifyConfig. */
  notify: NotifyConfig;
  /** Signed digests of the audit trail kept outside the database (docs/audit-digests.md); see AuditDigestConfig. */
  auditDigest: AuditDigestConfig;
  /**
   * How audit entries reach the one chain (AUDIT_CHAIN, issue 16): `direct` under a lock on the
   * chain head; `journal` through each instance's own chain, sealed in order after commit (for a
   * multi-primary cluster, where writers on different nodes must not update one row); `auto`
   * (default): journal on a Galera node, direct otherwise.
   */
  auditChain: 'auto' | 'direct' | 'journal';
  /** Who viewed which customer (docs/access-log.md); see AccessLogConfig. */
  accessLog: AccessLogConfig;
}

/**
 * R-SECRET, R-AUDIT, issue 14 §2: the log of reads of customer information, queued in memory and
 * written in hash-linked batches. A crash loses at most what waited for the next flush.
 */
export interface AccessLogConfig {
  /** A flush at least this often (ACCESS_LOG_FLUSH_MS, default 1000). */
  flushMs: number;
  /** ...or as soon as this many reads wait (ACCESS_LOG_BATCH, default 500); also the most rows in one batch. */
  batchSize: number;
  /** Reads kept this many days, then purged by the daily job (ACCESS_LOG_RETENTION_DAYS, default 3 years). */
  retentionDays: number;
  /** The monthly indicators count a user reading more distinct customers than this in one day (ACCESS_LOG_UNUSUAL_DAILY, default 200). */
  unusualDailyCustomers: number;
}

/**
 * R-AUDIT, issue 14 §1: the digests that anchor the audit chain outside the database. The private
 * key never enters the database; the embedded default generates one under var/ on first start.
 */
export interface AuditDigestConfig {
  /** PEM file of the Ed25519 private key (AUDIT_SIGNING_KEY). */
  signingKeyPath: string;
  /** True when AUDIT_SIGNING_KEY was not set: the key at signingKeyPath is made on first start. */
  generateKey: boolean;
  /** One file per digest, never rewritten (AUDIT_DIGEST_DIR). */
  dir: string;
  /** A digest every this many minutes (AUDIT_DIGEST_MINUTES, default 60); 0 = only on demand and at shutdown. */
  intervalMinutes: number;
  /** RFC 5424 over TCP, e.g. tcp://loghost:601 (AUDIT_SYSLOG_URL); null = files only. */
  syslog: { host: string; port: number } | null;
}

/**
 * Delivery of notification_delivery rows by e-mail and group robots. No SMTP_URL: the e-mail
 * channel is off and its rows are not claimed (they wait, pending, until a start with SMTP_URL).
 */
export interface NotifyConfig {
  /** nodemailer transport URL, e.g. smtp://user:pass@host:587 (smtps:// for TLS at connect); null = no e-mail. Never logged. */
  smtpUrl: string | null;
  mailFrom: string;
  /** Base of the console links in mail and robot messages (no trailing slash). */
  publicUrl: string;
  /** How often the worker looks for due rows; 0 = no worker in this process. */
  pollMs: number;
  /** Attempts in all before a row is dead-lettered. */
  maxAttempts: number;
  /** Wait before attempt n+1: backoffMs * 2^(n-1), at most max(backoffMs, 1 h). */
  backoffMs: number;
  /** Rows claimed per round. */
  batch: number;
  /** A claim older than this is taken over (the instance that held it is presumed dead). */
  leaseMs: number;
  /** Connect/answer timeout of one SMTP or webhook call. */
  timeoutMs: number;
}

const DEV_SECRETS_FILE = 'var/dev-secrets.json';

/**
 * Development secrets are generated once under var/ (gitignored) so that restarts keep
 * tokens valid; production never does this and refuses to start instead.
 */
function devSecret(name: string): string {
  const file = path.resolve(DEV_SECRETS_FILE);
  let secrets: Record<string, string> = {};
  if (fs.existsSync(file)) secrets = JSON.parse(fs.readFileSync(file, 'utf8'));
  if (!secrets[name]) {
    secrets[name] = crypto.randomBytes(32).toString('base64');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  }
  return secrets[name];
}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min = 0): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new ConfigError(`${name} must be an integer >= ${min}, got "${raw}"`);
  return n;
}

/** A size in bytes: "52428800", "512kb", "50mb". */
function byteSize(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const m = /^(\d+)\s*(b|kb|mb|gb)?$/i.exec(raw.trim());
  if (!m) throw new ConfigError(`${name} must be a size in bytes (e.g. 52428800 or 50mb), got "${raw}"`);
  return Number(m[1]) * { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 }[(m[2] ?? 'b').toLowerCase() as 'b'];
}

/** An IANA timezone the runtime knows (jobs fall due in it); a typo must stop the start, not shift every job. */
function timezone(tz: string): string {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
  } catch {
    throw new ConfigError(`JOBS_TIMEZONE must be an IANA timezone such as Asia/Shanghai, got "${tz}"`);
  }
  return tz;
}

/** SMTP_URL: an smtp:// or smtps:// URL with a host; the message never repeats the URL (it may hold a password). */
function smtpUrl(raw: string | undefined): string | null {
  if (raw === undefined || raw.trim() === '') return null;
  let u: URL;
  try {
    u = new URL(raw.trim());
  } catch {
    throw new ConfigError('SMTP_URL must be a URL such as smtp://user:pass@mail.example.com:587');
  }
  if (!['smtp:', 'smtps:'].includes(u.protocol) || !u.hostname) {
    throw new ConfigError(`SMTP_URL must start with smtp:// or smtps:// and name a host (got a ${u.protocol} URL)`);
  }
  return raw.trim();
}

/** MAIL_FROM: an address, optionally with a display name ("Custodian <custodian@example.com>"). */
function mailFrom(raw: string | undefined): string {
  const v = (raw ?? '').trim() || 'Custodian <custodian@localhost>';
  if (!/^([^<>\r\n]*<[^\s@<>]+@[^\s@<>]+>|[^\s@<>]+@[^\s@<>]+)$/.test(v)) {
    throw new ConfigError(`MAIL_FROM must be an address such as "Custodian <custodian@example.com>", got "${v}"`);
  }
  return v;
}

/** PUBLIC_URL: http(s) base of the console links, kept without a trailing slash. */
function publicUrl(raw: string | undefined, port: number): string {
  const v = (raw ?? '').trim() || `http://localhost:${port}`;
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw new ConfigError(`PUBLIC_URL must be an http(s) URL such as https://custodian.example.com, got "${v}"`);
  }
  if (!['http:', 'https:'].includes(u.protocol) || u.username || u.password || u.search || u.hash) {
    throw new ConfigError(`PUBLIC_URL must be an http(s) URL without credentials, query or fragment, got "${v}"`);
  }
  return v.replace(/\/+$/, '');
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const nodeEnv = env.NODE_ENV === 'production' ? 'production' : env.NODE_ENV === 'test' ? 'test' : 'development';
  const production = nodeEnv === 'production';

  const missing: string[] = [];
  if (production && !env.JWT_SECRET) missing.push('JWT_SECRET');
  if (production && !env.DATABASE_URL) missing.push('DATABASE_URL');
  if (production && !env.DATA_KEY) missing.push('DATA_KEY');
  if (production && !env.BLIND_INDEX_KEY) missing.push('BLIND_INDEX_KEY');
  if (production && !env.AUDIT_SIGNING_KEY) missing.push('AUDIT_SIGNING_KEY');
  if (missing.length) {
    throw new ConfigError(
      `Refusing to start in production without ${missing.join(', ')}. ` +
        'Set them in the environment (JWT_SECRET: at least 32 random characters; DATABASE_URL: mysql://user:pass@host:3306/db; ' +
        'DATA_KEY: "<keyId>:<base64 of 32 random bytes>"; BLIND_INDEX_KEY: base64 of 32 random bytes; ' +
        'AUDIT_SIGNING_KEY: path of an Ed25519 private key in PEM, e.g. from `openssl genpkey -algorithm ed25519`).',
    );
  }
  const secret = env.JWT_SECRET ?? devSecret('JWT_SECRET');
  if (Buffer.byteLength(secret) < 32) throw new ConfigError('JWT_SECRET must be at least 32 characters long');

  const databaseUrl = env.DATABASE_URL || 'sqlite:var/custodian.sqlite';
  if (!/^sqlite:|^mysql:\/\/|^mariadb:\/\//.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL must start with sqlite: or mysql://');
  }

  const port = int(env, 'PORT', 3000);
  return {
    nodeEnv,
    port,
    databaseUrl,
    // A KeyObject, not a string: jsonwebtoken then skips trying the string as a PEM key (~50x faster verify).
    jwtSecret: crypto.createSecretKey(Buffer.from(secret, 'utf8')),
    accessTokenTtlSeconds: int(env, 'ACCESS_TOKEN_TTL', 3600, 60),
    sessionIdleSeconds: int(env, 'SESSION_IDLE_SECONDS', 15 * 60, 10),
    sessionMaxSeconds: int(env, 'SESSION_MAX_SECONDS', 12 * 3600, 60),
    bootstrapAdminPassword: env.BOOTSTRAP_ADMIN_PASSWORD || undefined,
    bcryptRounds: int(env, 'BCRYPT_ROUNDS', nodeEnv === 'test' ? 4 : 11, 4),
    loginRateLimitPerMinute: int(env, 'LOGIN_RATE_LIMIT', 30, 1),
    policyPollMs: int(env, 'POLICY_POLL_MS', 2000, 50),
    bodyLimit: env.BODY_LIMIT || '100kb',
    importMaxBytes: byteSize(env, 'IMPORT_MAX_BYTES', 50 * 1024 * 1024),
    importDir: env.IMPORT_DIR || 'var/imports',
    importInlineRows: int(env, 'IMPORT_INLINE_ROWS', 2000, 0),
    handoverStorageDir: env.HANDOVER_STORAGE_DIR || 'var/files',
    handoverMaxBytes: byteSize(env, 'HANDOVER_MAX_BYTES', 50 * 1024 * 1024),
    handoverMaxDelegationDays: int(env, 'HANDOVER_MAX_DELEGATION_DAYS', 14, 1),
    handoverDestructionDays: int(env, 'HANDOVER_DESTRUCTION_DAYS', 7, 1),
    logLevel: env.LOG_LEVEL || (nodeEnv === 'test' ? 'silent' : 'info'),
    jobsEnabled: env.JOBS_ENABLED ? env.JOBS_ENABLED !== 'false' : nodeEnv !== 'test',
    timezone: timezone(env.JOBS_TIMEZONE || env.TZ_JOBS || 'Asia/Shanghai'),
    dataKey: env.DATA_KEY || `dev1:${devSecret('DATA_KEY')}`,
    dataKeysPrevious: (env.DATA_KEYS_PREVIOUS ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    blindIndexKey: env.BLIND_INDEX_KEY || devSecret('BLIND_INDEX_KEY'),
    printMaxUsageDays: int(env, 'PRINT_MAX_USAGE_DAYS', 30, 1),
    caseApprovalLimits: env.CASE_APPROVAL_LIMITS || 'project_manager:500,dept_head:5000,general_manager:*',
    confirmationTtlHours: int(env, 'CONFIRMATION_TTL_HOURS', 72, 1),
    notify: {
      smtpUrl: smtpUrl(env.SMTP_URL),
      mailFrom: mailFrom(env.MAIL_FROM),
      publicUrl: publicUrl(env.PUBLIC_URL, port),
      // Tests build apps without a worker and drive one themselves.
      pollMs: int(env, 'NOTIFY_POLL_MS', nodeEnv === 'test' ? 0 : 2000, 0),
      maxAttempts: int(env, 'NOTIFY_MAX_ATTEMPTS', 6, 1),
      backoffMs: int(env, 'NOTIFY_BACKOFF_MS', 30_000, 0),
      batch: int(env, 'NOTIFY_BATCH', 50, 1),
      leaseMs: int(env, 'NOTIFY_LEASE_MS', 60_000, 1000),
      timeoutMs: int(env, 'NOTIFY_TIMEOUT_MS', 10_000, 100),
    },
    auditDigest: {
      signingKeyPath: env.AUDIT_SIGNING_KEY || 'var/audit-signing-key.pem',
      generateKey: !env.AUDIT_SIGNING_KEY,
      dir: env.AUDIT_DIGEST_DIR || 'var/audit-digests',
      intervalMinutes: int(env, 'AUDIT_DIGEST_MINUTES', 60, 0),
      syslog: syslogUrl(env.AUDIT_SYSLOG_URL),
    },
    auditChain: auditChainMode(env.AUDIT_CHAIN),
    accessLog: {
      flushMs: int(env, 'ACCESS_LOG_FLUSH_MS', 1000, 10),
      batchSize: int(env, 'ACCESS_LOG_BATCH', 500, 1),
      retentionDays: int(env, 'ACCESS_LOG_RETENTION_DAYS', 3 * 365, 1),
      unusualDailyCustomers: int(env, 'ACCESS_LOG_UNUSUAL_DAILY', 200, 1),
    },
  };
}

/** AUDIT_SYSLOG_URL: tcp://host:port of an RFC 5424 collector (octet-counted frames, RFC 6587). */
function syslogUrl(raw: string | undefined): AuditDigestConfig['syslog'] {
  if (raw === undefined || raw.trim() === '') return null;
  let u: URL;
  try {
    u = new URL(raw.trim());
  } catch {
    throw new ConfigError('AUDIT_SYSLOG_URL must be a URL such as tcp://loghost.example.com:601');
  }
  if (u.protocol !== 'tcp:' || !u.hostname || !u.port) throw new ConfigError(`AUDIT_SYSLOG_URL must be tcp://host:port (got a ${u.protocol} URL)`);
  return { host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port) };
}
