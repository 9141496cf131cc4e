/**
 * A real HTTP receiver standing in for the WeCom / DingTalk / Feishu robot webhooks (node:http on
 * 127.0.0.1, a random port). Each path answers as it is told: 'ok' (the platform's success
 * body), 'http500', or 'refused' (HTTP 200 with the platform's error code, as the platforms
 * answer a bad signature or a keyword filter). Every request is kept, parsed.
 */
import http from 'node:http';
import { AddressInfo } from 'node:net';

export type WebhookBehaviour = 'ok' | 'http500' | 'refused';

export interface ReceivedHook {
  path: string;
  query: Record<string, string>;
  body: Record<string, unknown>;
}

export class WebhookReceiver {
  readonly received: ReceivedHook[] = [];
  private readonly behaviour = new Map<string, WebhookBehaviour>();
  private constructor(private readonly server: http.Server) {}

  static async start(): Promise<WebhookReceiver> {
    let self: WebhookReceiver | null = null;
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => self!.answer(req, Buffer.concat(chunks).toString('utf8'), res));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    self = new WebhookReceiver(server);
    return self;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** How `path` answers from now on (default 'ok'). */
  set(path: string, behaviour: WebhookBehaviour): void {
    this.behaviour.set(path, behaviour);
  }

  at(path: string): ReceivedHook[] {
    return this.received.filter((r) => r.path === path);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private answer(req: http.IncomingMessage, text: string, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://x');
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      body = { unparsed: text };
    }
    this.received.push({ path: url.pathname, query: Object.fromEntries(url.searchParams), body });
    const feishu = url.pathname.includes('feishu');
    const how = this.behaviour.get(url.pathname) ?? 'ok';
    const json = (status: number, payload: object) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(payload));
    };
    if (how === 'http500') return void json(500, { error: 'internal' });
    if (how === 'refused') return void json(200, feishu ? { code: 19021, msg: 'sign match fail or timestamp is not within one hour from current time' } : { errcode: 310000, errmsg: 'sign not match' });
    json(200, feishu ? { code: 0, msg: 'success', data: {} } : { errcode: 0, errmsg: 'ok' });
  }
}
