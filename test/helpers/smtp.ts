/**
 * A real SMTP server for the tests (the `smtp-server` package, real TCP on 127.0.0.1, a random
 * port): it keeps every message it accepts, decoded enough to assert on (headers, subject, the
 * text and HTML parts). It can be stopped and started again on the same port (a mail server
 * outage), refuse chosen recipients (550), and require a password.
 */
import { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
  headers: Record<string, string>;
  messageId: string;
  subject: string;
  text: string;
  html: string;
}

export interface TestSmtpOptions {
  /** Required credentials (AUTH PLAIN/LOGIN); none = no authentication offered. */
  auth?: { user: string; pass: string };
  port?: number;
}

export class TestSmtp {
  readonly messages: ReceivedMail[] = [];
  /** Recipients answered 550 at RCPT TO. */
  readonly rejected = new Set<string>();
  /** Authentication attempts (user names) the server saw. */
  readonly logins: string[] = [];
  private server: SMTPServer | null = null;
  private portNo = 0;

  private constructor(private readonly opts: TestSmtpOptions) {}

  static async start(opts: TestSmtpOptions = {}): Promise<TestSmtp> {
    const s = new TestSmtp(opts);
    await s.listen(opts.port ?? 0);
    return s;
  }

  get port(): number {
    return this.portNo;
  }

  /** SMTP_URL for the worker. */
  get url(): string {
    const a = this.opts.auth;
    return `smtp://${a ? `${encodeURIComponent(a.user)}:${encodeURIComponent(a.pass)}@` : ''}127.0.0.1:${this.portNo}`;
  }

  get running(): boolean {
    return this.server !== null;
  }

  /** Messages to one address. */
  to(address: string): ReceivedMail[] {
    return this.messages.filter((m) => m.to.includes(address.toLowerCase()));
  }

  /** Resolves once `n` messages arrived in all (or rejects after timeoutMs). */
  async waitFor(n: number, timeoutMs = 10_000): Promise<ReceivedMail[]> {
    const until = Date.now() + timeoutMs;
    while (this.messages.length < n) {
      if (Date.now() > until) throw new Error(`expected ${n} mails, got ${this.messages.length}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    return this.messages;
  }

  /** The outage: the port closes and open connections are cut. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Back on the same port. */
  async restart(): Promise<void> {
    if (this.server) return;
    await this.listen(this.portNo);
  }

  private async listen(port: number): Promise<void> {
    const auth = this.opts.auth;
    const server = new SMTPServer({
      secure: false,
      disabledCommands: auth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
      authOptional: !auth,
      allowInsecureAuth: true,
      logger: false,
      // stop() must not wait 30 s for the worker's pooled connections to go away by themselves.
      closeTimeout: 50,
      size: 1024 * 1024,
      onAuth: (a, _session, cb) => {
        this.logins.push(String(a.username));
        if (auth && a.username === auth.user && a.password === auth.pass) return cb(null, { user: a.username });
        return cb(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
      },
      onRcptTo: (address, _session, cb) => {
        if (this.rejected.has(address.address.toLowerCase())) return cb(Object.assign(new Error('Mailbox unavailable'), { responseCode: 550 }));
        return cb();
      },
      onData: (stream, session, cb) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
          this.messages.push(parseMail(raw, from, session.envelope.rcptTo.map((r) => r.address.toLowerCase())));
          cb();
        });
      },
    });
    server.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.portNo = (server.server.address() as AddressInfo).port;
    this.server = server;
  }
}

// --- a small MIME reader: enough for what nodemailer writes ------------------------------------

function splitHead(raw: string): { head: Record<string, string>; body: string } {
  const at = raw.indexOf('\r\n\r\n');
  const headText = at < 0 ? raw : raw.slice(0, at);
  const body = at < 0 ? '' : raw.slice(at + 4);
  const head: Record<string, string> = {};
  for (const line of headText.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) head[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return { head, body };
}

/** RFC 2047 encoded words (=?UTF-8?B?...?= / =?UTF-8?Q?...?=). */
function decodeWords(s: string): string {
  return s.replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=\s*(?==\?)?/g, (_m, _cs, enc: string, text: string) =>
    enc.toUpperCase() === 'B' ? Buffer.from(text, 'base64').toString('utf8') : decodeQp(text.replace(/_/g, ' ')),
  );
}

function decodeQp(s: string): string {
  const bytes: number[] = [];
  const t = s.replace(/=\r?\n/g, '');
  for (let i = 0; i < t.length; i++) {
    if (t[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(t.slice(i + 1, i + 3))) {
      bytes.push(parseInt(t.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(t[i], 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

function decodeBody(body: string, encoding: string | undefined): string {
  const e = (encoding ?? '').toLowerCase();
  if (e === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (e === 'quoted-printable') return decodeQp(body);
  return body;
}

function parts(head: Record<string, string>, body: string): Array<{ type: string; text: string }> {
  const type = (head['content-type'] ?? 'text/plain').toLowerCase();
  const boundary = /boundary="?([^";]+)"?/i.exec(head['content-type'] ?? '')?.[1];
  if (type.startsWith('multipart/') && boundary) {
    return body
      .split(`--${boundary}`)
      .slice(1)
      .filter((p) => !p.startsWith('--'))
      .flatMap((p) => {
        const inner = splitHead(p.replace(/^\r\n/, ''));
        return parts(inner.head, inner.body.replace(/\r\n$/, ''));
      });
  }
  return [{ type: type.split(';')[0], text: decodeBody(body, head['content-transfer-encoding']) }];
}

export function parseMail(raw: string, from: string, to: string[]): ReceivedMail {
  const { head, body } = splitHead(raw);
  const ps = parts(head, body);
  return {
    from,
    to,
    raw,
    headers: head,
    messageId: head['message-id'] ?? '',
    subject: decodeWords(head.subject ?? ''),
    text: ps.find((p) => p.type === 'text/plain')?.text ?? '',
    html: ps.find((p) => p.type === 'text/html')?.text ?? '',
  };
}
