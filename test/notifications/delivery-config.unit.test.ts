/**
 * Issue 13, delivery settings and message shapes without a database: the NOTIFY_* settings are
 * validated like the others (a bad value stops the start, without echoing the SMTP password),
 * robots' request bodies and signatures, Message-IDs, and secrets kept out of recorded errors.
 */
import crypto from 'node:crypto';
import { ConfigError, loadConfig } from '../../src/config/env';
import { composeMail, messageIdFor } from '../../src/features/notifications/delivery/mail';
import { safeError } from '../../src/features/notifications/delivery/outcome';
import { robotRequest } from '../../src/features/notifications/delivery/robots';

const base = { NODE_ENV: 'test', JWT_SECRET: 'x'.repeat(40), DATABASE_URL: 'sqlite::memory:', DATA_KEY: `t:${Buffer.alloc(32).toString('base64')}`, BLIND_INDEX_KEY: Buffer.alloc(32).toString('base64') };

describe('notification settings', () => {
  test('defaults: e-mail off, links to the local console, worker off in tests and on (2 s) elsewhere', () => {
    expect(loadConfig(base).notify).toEqual({
      smtpUrl: null,
      mailFrom: 'Custodian <custodian@localhost>',
      publicUrl: 'http://localhost:3000',
      pollMs: 0,
      maxAttempts: 6,
      backoffMs: 30_000,
      batch: 50,
      leaseMs: 60_000,
      timeoutMs: 10_000,
    });
    expect(loadConfig({ ...base, NODE_ENV: 'development', PORT: '8080' }).notify).toMatchObject({ pollMs: 2000, publicUrl: 'http://localhost:8080' });
  });

  test('values from the environment; PUBLIC_URL without its trailing slash', () => {
    const n = loadConfig({
      ...base,
      SMTP_URL: 'smtps://mailer:p%40ss@mail.example.com:465',
      MAIL_FROM: '保管系統 <custodian@example.com>',
      PUBLIC_URL: 'https://custodian.example.com/',
      NOTIFY_POLL_MS: '500',
      NOTIFY_MAX_ATTEMPTS: '3',
      NOTIFY_BACKOFF_MS: '1000',
      NOTIFY_BATCH: '10',
      NOTIFY_LEASE_MS: '5000',
      NOTIFY_TIMEOUT_MS: '2000',
    }).notify;
    expect(n).toEqual({
      smtpUrl: 'smtps://mailer:p%40ss@mail.example.com:465',
      mailFrom: '保管系統 <custodian@example.com>',
      publicUrl: 'https://custodian.example.com',
      pollMs: 500,
      maxAttempts: 3,
      backoffMs: 1000,
      batch: 10,
      leaseMs: 5000,
      timeoutMs: 2000,
    });
  });

  test.each([
    ['SMTP_URL', 'http://user:hunter2secret@mail.example.com'],
    ['SMTP_URL', 'not a url :hunter2secret'],
    ['SMTP_URL', 'smtp://'],
    ['MAIL_FROM', 'nobody'],
    ['MAIL_FROM', 'A <a@b.c>\r\nBcc: x@y.z'],
    ['PUBLIC_URL', 'ftp://custodian.example.com'],
    ['PUBLIC_URL', 'https://u:p@custodian.example.com'],
    ['NOTIFY_POLL_MS', '-1'],
    ['NOTIFY_MAX_ATTEMPTS', '0'],
    ['NOTIFY_BATCH', '0'],
    ['NOTIFY_LEASE_MS', '10'],
    ['NOTIFY_TIMEOUT_MS', 'soon'],
  ])('%s=%j stops the start (ConfigError), never echoing a password', (name, value) => {
    let err: unknown;
    try {
      loadConfig({ ...base, [name]: value });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect(String((err as Error).message)).toContain(name);
    expect(String((err as Error).message)).not.toContain('hunter2secret');
  });
});

describe('message shapes', () => {
  const msg = { subject: 'Copy CC-2612-00001 overdue', body: '*Return* it today\n# not a heading', url: 'https://c.example/copies/CC-2612-00001' };
  const now = new Date('2026-12-05T02:00:00Z');

  test('WeCom markdown; DingTalk markdown with 加签 in the query; Feishu text with the signature in the body', () => {
    expect(robotRequest('wecom', 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=K', null, msg, now)).toEqual({
      url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=K',
      body: { msgtype: 'markdown', markdown: { content: '**Copy CC-2612-00001 overdue**\n\\*Return\\* it today\n\\# not a heading\n[https://c.example/copies/CC-2612-00001](https://c.example/copies/CC-2612-00001)' } },
    });
    const d = robotRequest('dingtalk', 'https://oapi.dingtalk.com/robot/send?access_token=T', 'SECx', msg, now);
    const sign = crypto.createHmac('sha256', 'SECx').update(`${now.getTime()}\nSECx`).digest('base64');
    expect(d.url).toBe(`https://oapi.dingtalk.com/robot/send?access_token=T&timestamp=${now.getTime()}&sign=${encodeURIComponent(sign)}`);
    expect(d.body).toMatchObject({ msgtype: 'markdown', markdown: { title: msg.subject } });
    expect(robotRequest('dingtalk', 'https://oapi.dingtalk.com/robot/send?access_token=T', null, msg, now).url).toBe('https://oapi.dingtalk.com/robot/send?access_token=T');
    const f = robotRequest('feishu', 'https://open.feishu.cn/open-apis/bot/v2/hook/abc', 'fs', msg, now);
    const ts = String(now.getTime() / 1000);
    expect(f).toEqual({
      url: 'https://open.feishu.cn/open-apis/bot/v2/hook/abc',
      body: { msg_type: 'text', content: { text: `${msg.subject}\n${msg.body}\n${msg.url}` }, timestamp: ts, sign: crypto.createHmac('sha256', `${ts}\nfs`).update('').digest('base64') },
    });
  });

  test('a long message is cut below WeCom’s 4096 bytes', () => {
    const long = robotRequest('wecom', 'https://x/y?key=K', null, { ...msg, body: '長'.repeat(5000) }, now);
    expect(Buffer.byteLength((long.body.markdown as { content: string }).content)).toBeLessThan(4096);
  });

  test('Message-IDs depend on the ids alone; HTML escapes every piece of text', () => {
    expect(messageIdFor([7], [3], 'https://custodian.example.com')).toBe('<custodian.n3.d7@custodian.example.com>');
    expect(messageIdFor([9, 7, 8], [1, 2, 3], 'https://c.example')).toBe(messageIdFor([7, 8, 9], [3, 2, 1], 'https://c.example'));
    const mail = composeMail({ to: 'a@b.c', lang: 'en', digest: false, messageId: '<x@y>', items: [{ subject: 'S <b>', body: 'a & <script>', url: 'https://c.example/x?a=1&b="2"' }] });
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).toContain('a &amp; &lt;script&gt;');
    expect(mail.html).toContain('href="https://c.example/x?a=1&amp;b=&quot;2&quot;"');
    expect(mail.text).toContain('https://c.example/x?a=1&b="2"');
  });

  test('recorded errors never carry the SMTP password, a webhook token or a secret', () => {
    const url = 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abcd-1234-efgh';
    expect(safeError(new Error(`POST ${url} failed; key abcd-1234-efgh; secret SEC999x`), [url, 'SEC999x'])).toBe('POST *** failed; key ***; secret ***');
    expect(safeError(new Error('login as mailer:pa55w0rd refused'), ['smtp://mailer:pa55w0rd@mail.example.com'])).toBe('login as mailer:*** refused');
    expect(safeError(new Error('hook https://open.feishu.cn/open-apis/bot/v2/hook/0f1e2d3c4b5a down'), ['https://open.feishu.cn/open-apis/bot/v2/hook/0f1e2d3c4b5a'])).toBe('hook *** down');
  });
});
