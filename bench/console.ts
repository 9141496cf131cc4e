/*
 * npm run bench:console — the web console in Debian's Chromium (not a test: it prints figures).
 * Serves the built console (dist/web) and the API from one in-process server on a temp SQLite
 * file with BENCH_CONSOLE_ROWS controlled copies in one project (default 10,000), signs in as
 * that project's manager, then BENCH_CONSOLE_REPEAT times (default 5, after one warm-up) times:
 * - the home page ("My work") from navigation to its work list drawn (first interactive);
 * - the copy ledger of the project: navigation to its first page of rows drawn, then the next page;
 * against a bare baseline in the same browser: a static HTML page from a bare Express app in the same process.
 * Also prints the JavaScript the first visit fetched, in bytes on the wire (gzip) as the browser counted them.
 */
import 'reflect-metadata';
import fs from 'node:fs';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium, expect, type Page } from '@playwright/test';
import express from 'express';
import { createApp } from '../src/app';
import { benchContext } from './lib';
import { seedLedger } from './ledger-seed';

const ROWS = Number(process.env.BENCH_CONSOLE_ROWS ?? 10_000);
const K = Number(process.env.BENCH_CONSOLE_REPEAT ?? 5);
const CHROMIUM = process.env.E2E_CHROMIUM || '/usr/bin/chromium';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (n: number) => `${n.toFixed(0)} ms`;

async function timed(_page: Page, run: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await run();
  return performance.now() - t0;
}

async function main() {
  const web = path.join(__dirname, '..', 'web', 'index.html');
  if (!fs.existsSync(web)) throw new Error('dist/web is missing: run npm run build first');
  const file = path.join(os.tmpdir(), `custodian-bench-console-${process.pid}.sqlite`);
  const { ctx, ds } = await benchContext(`sqlite:${file}`);
  const t0 = Date.now();
  await seedLedger(ctx, ds, ROWS);
  console.log(`seeded ${ROWS} controlled copies in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  const server = http.createServer(createApp(ctx));
  // The baseline: a static page from a bare Express app in the same process (no script, no API call).
  const bareApp = express().get('/bench-bare', (_req, res) => res.type('html').send('<!doctype html><title>bare</title><h1>bare</h1>'));
  const bareServer = http.createServer(bareApp);
  const listen = (s: http.Server) => new Promise<string>((resolve) => s.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(s.address() as AddressInfo).port}`)));
  const base = await listen(server);
  const bareUrl = `${await listen(bareServer)}/bench-bare`;

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const context = await browser.newContext({ baseURL: base, locale: 'zh-TW', viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    let jsBytes = 0;
    // Bytes on the wire (gzipped when the server sends it so), as the browser counted them.
    let counting: Array<Promise<void>> = [];
    page.on('requestfinished', (r) => {
      if (r.url().endsWith('.js')) counting.push(r.sizes().then((z) => void (jsBytes += z.responseBodySize)));
    });
    // Sign in through the console's own API call (the cookie lands in the context).
    const signIn = await page.request.post('/api/v1/auth/session', { data: { username: 'bench.pm', password: 'bench-user-pw-1' } });
    if (!signIn.ok()) throw new Error(`sign-in: ${signIn.status()}`);

    const bare: number[] = [];
    const home: number[] = [];
    const ledger: number[] = [];
    const nextPage: number[] = [];
    for (let i = 0; i <= K; i++) {
      const b = await timed(page, async () => {
        await page.goto(bareUrl);
        await page.getByRole('heading', { name: 'bare' }).waitFor();
      });
      jsBytes = 0;
      counting = [];
      const h = await timed(page, async () => {
        await page.goto('/', { waitUntil: 'commit' });
        await page.getByRole('heading', { level: 1, name: '我的工作' }).waitFor();
        await page.getByRole('heading', { name: '等待處理' }).waitFor();
      });
      await page.waitForLoadState('networkidle');
      await Promise.all(counting);
      const firstJs = jsBytes;
      const l = await timed(page, async () => {
        await page.goto('/copies', { waitUntil: 'commit' });
        // The ledger is the reader's first tab when nothing waits for them.
        await page.getByRole('tab', { name: '台帳', selected: true }).waitFor();
        await page.locator('.ant-table-row').first().waitFor();
      });
      const n = await timed(page, async () => {
        const first = await page.locator('.ant-table-row').first().innerText();
        await page.locator('.ant-pagination-next').first().click();
        await expect(page.locator('.ant-table-row').first()).not.toHaveText(first);
      });
      if (i === 0) {
        // The first round is a first visit (nothing cached); the others are a returning user's
        // (hashed assets cached as immutable), whose medians are printed below.
        console.log(`first visit: home page first interactive ${ms(h)} (bare ${ms(b)}), ${(firstJs / 1024).toFixed(1)} kB of JavaScript on the wire; ledger ${ms(l)}`);
        continue;
      }
      bare.push(b);
      home.push(h);
      ledger.push(l);
      nextPage.push(n);
    }
    const mb = median(bare);
    console.log(`returning user, median of ${K}, load avg ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}:`);
    console.log(`  bare static page            ${ms(mb)}`);
    console.log(`  home page, first interactive ${ms(median(home))}  (${(median(home) / mb).toFixed(1)}x bare)`);
    console.log(`  copy ledger, ${ROWS} copies: first page ${ms(median(ledger))} (${(median(ledger) / mb).toFixed(1)}x bare), next page ${ms(median(nextPage))}`);
  } finally {
    await browser.close();
    await new Promise((resolve) => server.close(resolve));
    await new Promise((resolve) => bareServer.close(resolve));
    await ds.destroy();
    fs.rmSync(file, { force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
