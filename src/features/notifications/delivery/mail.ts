import crypto from 'node:crypto';
import nodemailer from 'nodemailer';
import type { NotifyConfig } from '../../../config/env';
import type { Lang } from '../message';
import { ChannelDown, DeliveryFailure } from './outcome';

/** nodemailer's codes for a server that cannot be reached or will not let us in (src: nodemailer errors.js). */
const SERVER_DOWN = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ETLS', 'EPROTOCOL', 'EAUTH', 'ENOAUTH', 'EPROXY', 'ECONNREFUSED']);

/** One message of a mail: rendered in the recipient's language, its link already absolute. */
export interface MailItem {
  subject: string;
  body: string;
  url: string;
}

export interface OutgoingMail {
  to: string;
  lang: Lang;
  items: MailItem[];
  /** Set for a digest: several messages in one mail. */
  digest: boolean;
  messageId: string;
}

/** The domain of our Message-IDs: the console's host (PUBLIC_URL), so that they are ours and stable across instances. */
function idDomain(publicUrl: string): string {
  try {
    return new URL(publicUrl).hostname || 'custodian.local';
  } catch {
    return 'custodian.local';
  }
}

/**
 * The Message-ID of a delivery row, or of a digest of rows: derived from the ids alone, so that a
 * mail sent again after a crash between the send and its recording (the claim's lease expired and
 * another instance took the row over) carries the same Message-ID, and the recipient's mail
 * system can recognise and fold the duplicate.
 */
export function messageIdFor(deliveryIds: number[], notificationIds: number[], publicUrl: string): string {
  const domain = idDomain(publicUrl);
  if (deliveryIds.length === 1) return `<custodian.n${notificationIds[0]}.d${deliveryIds[0]}@${domain}>`;
  const sorted = [...deliveryIds].sort((a, b) => a - b);
  const hash = crypto.createHash('sha256').update(sorted.join(',')).digest('hex').slice(0, 16);
  return `<custodian.digest.d${sorted[0]}.${sorted.length}.${hash}@${domain}>`;
}

const FOOTER: Record<Lang, string> = {
  'zh-Hant': '此郵件由 Custodian 自動發出，請勿直接回覆。通知方式可在主控台的「通知設定」中選擇。',
  en: 'Sent automatically by Custodian; please do not reply. Choose how you are notified under Notification settings in the console.',
};
const OPEN: Record<Lang, string> = { 'zh-Hant': '開啟', en: 'Open' };
const digestSubject = (lang: Lang, n: number) => (lang === 'en' ? `Custodian daily digest: ${n} notification${n === 1 ? '' : 's'}` : `Custodian 每日摘要：${n} 則通知`);

const html = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Plain text and HTML of a mail, in its language; every piece of our text is escaped in the HTML. */
export function composeMail(mail: OutgoingMail): { subject: string; text: string; html: string } {
  const subject = mail.digest ? digestSubject(mail.lang, mail.items.length) : mail.items[0].subject;
  const textItems = mail.items.map((i) => (mail.digest ? `■ ${i.subject}\n${i.body}\n${i.url}` : `${i.body}\n\n${i.url}`));
  const htmlItems = mail.items.map(
    (i) =>
      `${mail.digest ? `<h3 style="margin:16px 0 4px">${html(i.subject)}</h3>` : ''}` +
      `<p style="white-space:pre-line;margin:0 0 8px">${html(i.body)}</p>` +
      `<p style="margin:0 0 12px"><a href="${html(i.url)}">${OPEN[mail.lang]}: ${html(i.url)}</a></p>`,
  );
  return {
    subject,
    text: `${textItems.join('\n\n')}\n\n--\n${FOOTER[mail.lang]}\n`,
    html:
      `<!doctype html><html lang="${mail.lang}"><head><meta charset="utf-8"><title>${html(subject)}</title></head>` +
      `<body style="font-family:sans-serif;font-size:14px;color:#222">${mail.digest ? `<h2>${html(subject)}</h2>` : ''}${htmlItems.join('<hr>')}` +
      `<p style="color:#888;font-size:12px;margin-top:24px">${html(FOOTER[mail.lang])}</p></body></html>`,
  };
}

/**
 * The e-mail channel: one pooled SMTP transport (nodemailer) per worker, from SMTP_URL. Errors
 * come out as DeliveryFailure with the server's answer or the network error, never the URL or
 * its password.
 */
export class Mailer {
  private readonly transport: ReturnType<typeof nodemailer.createTransport>;

  constructor(
    private readonly cfg: NotifyConfig & { smtpUrl: string },
    opts: { maxConnections?: number } = {},
  ) {
    this.transport = nodemailer.createTransport({
      url: cfg.smtpUrl,
      pool: true,
      maxConnections: opts.maxConnections ?? 4,
      connectionTimeout: cfg.timeoutMs,
      greetingTimeout: cfg.timeoutMs,
      socketTimeout: cfg.timeoutMs,
      // Our messages have no attachments: nothing may make nodemailer read a file or a URL.
      disableFileAccess: true,
      disableUrlAccess: true,
    } as unknown as Parameters<typeof nodemailer.createTransport>[0]);
  }

  async send(mail: OutgoingMail): Promise<void> {
    const body = composeMail(mail);
    try {
      await this.transport.sendMail({
        from: this.cfg.mailFrom,
        to: mail.to,
        subject: body.subject,
        text: body.text,
        html: body.html,
        messageId: mail.messageId,
        headers: { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' },
      });
    } catch (err) {
      const e = err as { message?: string; code?: string; responseCode?: number; response?: string };
      const detail = e.responseCode ? `SMTP ${e.responseCode}: ${String(e.response ?? e.message).slice(0, 300)}` : `${e.code ?? 'error'}: ${e.message ?? String(err)}`;
      // 421: the server closes the session (overloaded, shutting down): down too, not this message.
      if (SERVER_DOWN.has(String(e.code)) || e.responseCode === 421) throw new ChannelDown(`mail server unreachable (${detail})`);
      throw new DeliveryFailure(`e-mail not accepted (${detail})`);
    }
  }

  close(): void {
    this.transport.close();
  }
}
