/*
 * npm run bench:notify — notification delivery (issue 13), not a test: it prints figures.
 *
 * 1. Throughput: BENCH_NOTIFY_MESSAGES e-mails (default 2,000; 50 recipients) written through the
 *    outbox, then delivered by TWO delivery workers (SQLite: two workers on the one instance;
 *    MariaDB: two instances, each its own context and pool, on one database) to a local SMTP
 *    server (smtp-server on 127.0.0.1, real TCP). Messages/s from the first claim to the last mail
 *    received (target >= 200/s), checked: every message once (distinct Message-IDs). Baseline in
 *    the same run: the same number of mails of the same size sent straight through two nodemailer
 *    pools (same connections, no database), and the ratio.
 * 2. The outbox's cost in a print-request approval (R-PRINT-APPROVE; the approval writes
 *    print_request.approved to the requester): BENCH_NOTIFY_APPROVALS approvals per variant
 *    (default 150), interleaved: (a) bare: the outbox not called at all (its methods stubbed for
 *    this baseline only), (b) the inbox row alone (requester without an address, no robots),
 *    (c) inbox + e-mail + two group robots (project and department). Mean and median latency
 *    and (c) against (a) and (b) (target: (c) adds <= 10%).
 * Runs on SQLite (temp file) and, if reachable, on MariaDB (a scratch database it creates and
 * drops). Only 127.0.0.1; stops by itself.
 */
import 'reflect-metadata';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { In } from 'typeorm';
import { createApp } from '../src/app';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import type { AppContext } from '../src/context';
import { NotificationDelivery, NotificationRobot, User } from '../src/entities';
import { composeMail } from '../src/features/notifications/delivery/mail';
import { DeliveryWorker } from '../src/features/notifications/delivery/delivery.worker';
import { sealRobotField } from '../src/features/notifications/robot-crypto';
import { benchContext, onBothDatabases } from './lib';

const MESSAGES = Number(process.env.BENCH_NOTIFY_MESSAGES ?? 2_000);
const APPROVALS = Number(process.env.BENCH_NOTIFY_APPROVALS ?? 150);
const RECIPIENTS = 50;
const ADMIN = { id: 1, username: 'admin' };

/** A local SMTP server that counts what it accepts (and keeps the Message-IDs). */
async function smtpSink(): Promise<{ port: number; ids: string[]; count: () => number; close(): Promise<void> }> {
  const ids: string[] = [];
  let n = 0;
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    logger: false,
    closeTimeout: 50,
    onData(stream, _session, cb) {
      let head = '';
      stream.on('data', (c: Buffer) => {
        if (head.length < 4096) head += c.toString('utf8');
      });
      stream.on('end', () => {
        n++;
        const id = /^message-id:\s*(\S+)/im.exec(head)?.[1];
        if (id) ids.push(id);
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    port: (server.server.address() as AddressInfo).port,
    ids,
    count: () => n,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

async function users(ctx: AppContext, prefix: string, n: number, email: boolean): Promise<Array<{ id: number; username: string }>> {
  const now = new Date();
  await ctx.db.tx((m) =>
    m.getRepository(User).insert(
      Array.from({ length: n }, (_, i) => ({
        username: `${prefix}.${i}`,
        displayName: `Bench ${prefix} ${i}`,
        passwordHash: 'x',
        status: 'active' as const,
        agreementVersion: '2026-1',
        agreementSignedAt: now,
        createdAt: now,
        email: email ? `${prefix}.${i}@bench.example.test` : null,
        language: (i % 2 ? 'en' : 'zh-Hant') as 'en' | 'zh-Hant',
      })),
    ),
  );
  return (await ctx.db.manager.getRepository(User).find({ select: { id: true, username: true } })).filter((u) => u.username.startsWith(`${prefix}.`));
}

async function throughput(ctx: AppContext, second: AppContext, smtpUrl: string, sink: Awaited<ReturnType<typeof smtpSink>>): Promise<void> {
  const people = await users(ctx, 'mail', RECIPIENTS, true);
  const t0 = performance.now();
  for (let i = 0; i < MESSAGES / RECIPIENTS; i++) {
    await ctx.db.tx((m) =>
      ctx.outbox.enqueueToUsers(
        m,
        people.map((p) => p.id),
        { kind: 'print_request.approved', params: { requestId: 1000 + i, project: 'P01', approver: 'pm1', copies: 1 }, dedupeKey: `bench.mail:${i}` },
      ),
    );
  }
  const written = await ctx.db.manager.getRepository(NotificationDelivery).countBy({ channel: 'email', status: 'pending' });
  console.log(`  outbox: ${written} messages + delivery rows written in ${(performance.now() - t0).toFixed(0)} ms (${RECIPIENTS} per transaction)`);

  // The workers as every instance runs them (src/main.ts): their own poll loops.
  const workers = [new DeliveryWorker(ctx), new DeliveryWorker(second)];
  const before = sink.count();
  const started = performance.now();
  for (const w of workers) w.start();
  const deadline = Date.now() + 300_000;
  while (sink.count() - before < written && Date.now() < deadline) await new Promise((res) => setTimeout(res, 5));
  const seconds = (performance.now() - started) / 1000;
  await Promise.all(workers.map((w) => w.stop()));
  const got = sink.count() - before;
  const unique = new Set(sink.ids).size;
  const still = await ctx.db.manager.getRepository(NotificationDelivery).countBy({ channel: 'email', status: 'pending' });
  const rate = got / seconds;
  console.log(`  two workers: ${got} mails in ${seconds.toFixed(2)} s = ${rate.toFixed(0)} messages/s (target >= 200/s); ${still} left pending; distinct Message-IDs ${unique}${unique === got && got === written ? ' (each once)' : ' (MISMATCH)'}`);

  // Baseline: the same mails straight through two nodemailer pools of the same size, no database.
  const transports = [0, 1].map(() => nodemailer.createTransport({ url: smtpUrl, pool: true, maxConnections: 4 } as unknown as Parameters<typeof nodemailer.createTransport>[0]));
  const body = composeMail({ to: 'x@bench.example.test', lang: 'zh-Hant', digest: false, messageId: '<x@bench>', items: [{ subject: '列印申請 #1000 已核准', body: 'pm1 已核准您的列印申請 #1000（專案 P01），發出 1 份受控文件。', url: 'http://127.0.0.1:3000/copies' }] });
  const b0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async (_, lane) => {
      while (next < written) {
        const i = next++;
        await transports[lane % 2].sendMail({ from: 'custodian@bench.example.test', to: `mail.${i % RECIPIENTS}@bench.example.test`, messageId: `<bare.${i}@bench>`, ...body });
      }
    }),
  );
  const bareRate = written / ((performance.now() - b0) / 1000);
  for (const t of transports) t.close();
  console.log(`  bare nodemailer (2 pools x 4 connections, same mails): ${bareRate.toFixed(0)} messages/s; workers reach ${(rate / bareRate).toFixed(2)} of it`);
}

async function approvals(ctx: AppContext): Promise<void> {
  const dept = await ctx.org.createDepartment(ADMIN, { code: 'BND', name: 'Bench notify dept' });
  const variants = ['bare', 'inbox', 'full'] as const;
  const setup = {} as Record<(typeof variants)[number], { pm: { id: number; username: string }; requester: { id: number; username: string }; ids: number[]; project: string }>;
  for (const v of variants) {
    const project = (await ctx.org.createProject(ADMIN, { code: `BN${v.toUpperCase()}`, name: `Bench ${v}`, departmentCode: dept.code })).code;
    const [pm] = await users(ctx, `pm${v}`, 1, true);
    const [requester] = await users(ctx, `rq${v}`, 1, v === 'full');
    await ctx.access.grant(ADMIN, { userId: pm.id, role: 'project_manager', scope: `project:${project}` });
    await ctx.access.grant(ADMIN, { userId: requester.id, role: 'staff', scope: `project:${project}` });
    setup[v] = { pm, requester, ids: [], project };
  }
  // (c) has a robot on its project and one on its department: one row each per approval.
  const now = new Date();
  const webhook = (p: string) => sealRobotField(ctx.cipher, 'webhookUrl', `http://127.0.0.1:9/${p}?key=bench`);
  await ctx.db.tx((m) =>
    m.getRepository(NotificationRobot).insert([
      { name: 'bench wecom', platform: 'wecom', scope: `project:${setup.full.project}`, webhookUrl: webhook('wecom'), secret: null, kinds: null, language: 'zh-Hant', enabled: true, createdAt: now, updatedAt: now },
      { name: 'bench dingtalk', platform: 'dingtalk', scope: `dept:${dept.code}`, webhookUrl: webhook('dingtalk'), secret: sealRobotField(ctx.cipher, 'secret', 'SECbench'), kinds: null, language: 'en', enabled: true, createdAt: now, updatedAt: now },
    ]),
  );
  await ctx.policy.reload();
  for (const v of variants) {
    const s = setup[v];
    const customer = await ctx.customers.create(ADMIN, s.project, { name: '王大明', unit: '1棟101室', nationality: 'domestic', phones: ['13800138000'], idNumber: null });
    for (let i = 0; i < 2 * (APPROVALS + 5); i++) {
      const r = await ctx.printRequests.request(s.requester, { project: s.project, purpose: 'Owner meeting sign-in sheet', customerIds: [customer.id], copies: 1, usageDays: 7, includePersonal: false });
      s.ids.push(r.id);
    }
  }
  // Every write of the outbox, settling a decided request's messages included.
  const real = { enqueue: ctx.outbox.enqueue, enqueueToUsers: ctx.outbox.enqueueToUsers, enqueueToRole: ctx.outbox.enqueueToRole, settle: ctx.outbox.settle };
  const stub = (on: boolean) => {
    const o = ctx.outbox as unknown as Record<string, unknown>;
    for (const [k, fn] of Object.entries(real)) o[k] = on ? async () => 0 : fn;
  };
  const server = http.createServer(createApp(ctx));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const pct = (a: number, b: number) => `${(((a - b) / b) * 100).toFixed(1)}%`;
  const W = 5; // the first five of each variant warm up
  for (const via of ['service', 'http'] as const) {
    const times: Record<string, number[]> = { bare: [], inbox: [], full: [] };
    for (let i = 0; i < APPROVALS + W; i++) {
      for (const v of variants) {
        const s = setup[v];
        const id = s.ids[(via === 'http' ? APPROVALS + W : 0) + i];
        stub(v === 'bare');
        const t = performance.now();
        if (via === 'service') {
          await ctx.printRequests.approve(s.pm, await ctx.printRequests.load(id), null);
        } else {
          const res = await fetch(`${base}/api/v1/print-requests/${id}/approve`, { method: 'POST', headers: { authorization: `Bearer ${ctx.tokens.issue(s.pm.id, 0)}`, 'content-type': 'application/json' }, body: '{}' });
          if (res.status !== 200) throw new Error(`approve answered ${res.status}: ${await res.text()}`);
          await res.arrayBuffer();
        }
        const ms = performance.now() - t;
        stub(false);
        if (i >= W) times[v].push(ms);
      }
    }
    for (const v of variants) console.log(`  approval (${via}), ${v.padEnd(5)}: mean ${mean(times[v]).toFixed(2)} ms, median ${median(times[v]).toFixed(2)} ms (${times[v].length})`);
    console.log(
      `  outbox cost (${via}): full vs bare +${pct(mean(times.full), mean(times.bare))} mean, +${pct(median(times.full), median(times.bare))} median (target <= 10%); ` +
        `delivery rows (e-mail + 2 robots) vs inbox row only: +${pct(median(times.full), median(times.inbox))} median`,
    );
  }
  server.close();
  const deliveries = await ctx.db.manager.getRepository(NotificationDelivery).count({ where: { channel: In(['wecom', 'dingtalk']) } });
  console.log(`  robot delivery rows written by the approvals: ${deliveries} (2 per approval of the full variant)`);
}

onBothDatabases('notify', async (url) => {
  const sink = await smtpSink();
  const smtpUrl = `smtp://127.0.0.1:${sink.port}`;
  const env = { SMTP_URL: smtpUrl, PUBLIC_URL: 'http://127.0.0.1:3000', NOTIFY_POLL_MS: '20' };
  const { ctx, ds } = await benchContext(url, env);
  const mysql = ctx.db.mysql;
  const other = mysql ? await benchContext(url, env) : null;
  try {
    console.log(`notify bench on ${ds.options.type}${mysql ? ' (two instances on one database)' : ' (two workers on one instance)'}:`);
    await throughput(ctx, other?.ctx ?? ctx, smtpUrl, sink);
    await approvals(ctx);
  } finally {
    if (other) await other.ds.destroy();
    await ds.destroy();
    await sink.close();
  }
});
