import crypto from 'node:crypto';
import type { RobotPlatform } from '../../../entities/NotificationRobot';
import { DeliveryFailure } from './outcome';

/** What a group robot posts: the rendered message and its absolute console link. */
export interface RobotMessage {
  subject: string;
  body: string;
  /** Absolute (PUBLIC_URL + the kind's link). */
  url: string;
}

export interface RobotRequest {
  url: string;
  body: Record<string, unknown>;
}

/** WeCom caps a markdown message at 4096 bytes; the others are more generous, and a long message helps nobody. */
const MAX_TEXT_BYTES = 3800;

function clip(text: string): string {
  if (Buffer.byteLength(text) <= MAX_TEXT_BYTES) return text;
  let out = text;
  while (Buffer.byteLength(out) > MAX_TEXT_BYTES - 3) out = out.slice(0, Math.floor(out.length * 0.9));
  return `${out}...`;
}

/** Markdown control characters in our own text would change its meaning (a serial is never a heading). */
const mdEscape = (s: string) => s.replace(/([\\`*_[\]])/g, '\\$1').replace(/^(\s*)([#>+-])/gm, '$1\\$2');

/**
 * The HTTP request each platform accepts for one message. DingTalk and Feishu sign with the
 * robot's secret when one is set ("加签"): DingTalk puts `timestamp` (ms) and `sign` =
 * base64(HMAC-SHA256(key = secret, data = "timestamp\nsecret")), URL-encoded, in the query;
 * Feishu puts `timestamp` (s) and `sign` = base64(HMAC-SHA256(key = "timestamp\nsecret", data = ""))
 * in the body. WeCom robots are authorised by the key in their URL alone.
 */
export function robotRequest(platform: RobotPlatform, webhookUrl: string, secret: string | null, msg: RobotMessage, now = new Date()): RobotRequest {
  switch (platform) {
    case 'wecom':
      return {
        url: webhookUrl,
        body: { msgtype: 'markdown', markdown: { content: clip(`**${mdEscape(msg.subject)}**\n${mdEscape(msg.body)}\n[${msg.url}](${msg.url})`) } },
      };
    case 'dingtalk': {
      let url = webhookUrl;
      if (secret) {
        const timestamp = String(now.getTime());
        const sign = crypto.createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest('base64');
        url += `${url.includes('?') ? '&' : '?'}timestamp=${timestamp}&sign=${encodeURIComponent(sign)}`;
      }
      return {
        url,
        body: { msgtype: 'markdown', markdown: { title: msg.subject.slice(0, 100), text: clip(`### ${mdEscape(msg.subject)}\n\n${mdEscape(msg.body)}\n\n[${msg.url}](${msg.url})`) } },
      };
    }
    case 'feishu': {
      const body: Record<string, unknown> = { msg_type: 'text', content: { text: clip(`${msg.subject}\n${msg.body}\n${msg.url}`) } };
      if (secret) {
        const timestamp = String(Math.floor(now.getTime() / 1000));
        body.timestamp = timestamp;
        body.sign = crypto.createHmac('sha256', `${timestamp}\n${secret}`).update('').digest('base64');
      }
      return { url: webhookUrl, body };
    }
  }
}

/**
 * Posts one message to a robot. Success is HTTP 2xx AND the platform's own code 0: the three
 * platforms answer 200 with `{"errcode": 310000, ...}` (WeCom, DingTalk) or `{"code": 19021, ...}`
 * (Feishu) for a refused message (bad signature, keyword filter, rate limit), and that is a
 * failure to retry. The error never carries the URL (its token) or the secret.
 */
export async function postToRobot(platform: RobotPlatform, webhookUrl: string, secret: string | null, msg: RobotMessage, timeoutMs: number): Promise<void> {
  const req = robotRequest(platform, webhookUrl, secret, msg);
  let res: Response;
  try {
    res = await fetch(req.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(req.body),
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'error',
    });
  } catch (err) {
    const e = err as { name?: string; cause?: { code?: string } };
    if (e.name === 'TimeoutError') throw new DeliveryFailure(`${platform} webhook: no answer within ${timeoutMs} ms`);
    throw new DeliveryFailure(`${platform} webhook unreachable${e.cause?.code ? ` (${e.cause.code})` : ''}`);
  }
  const text = await res.text().catch(() => '');
  if (!res.ok) throw new DeliveryFailure(`${platform} webhook answered HTTP ${res.status}`);
  let answer: Record<string, unknown> = {};
  try {
    answer = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // Some proxies answer 200 with a page; without the platform's code 0 it did not accept the message.
    throw new DeliveryFailure(`${platform} webhook answered HTTP ${res.status} without a JSON body`);
  }
  const code = platform === 'feishu' ? (answer.code ?? answer.StatusCode) : answer.errcode;
  if (code !== undefined && Number(code) !== 0) {
    const why = String(answer.errmsg ?? answer.msg ?? answer.StatusMessage ?? '').slice(0, 200);
    throw new DeliveryFailure(`${platform} refused the message: code ${String(code)}${why ? ` (${why})` : ''}`);
  }
  if (code === undefined) throw new DeliveryFailure(`${platform} webhook answered without a result code`);
}
