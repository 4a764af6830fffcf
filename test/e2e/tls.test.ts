// The page over TLS in Chromium: with the self-signed certificate's key trusted (pinned by its SPKI hash,
// not by ignoring certificate errors), the printed https URL trades its token for a Secure cookie, the page
// connects over wss and shows the board's output; the plain-HTTP redirect lands on the same console; and a
// browser that does not trust the key refuses the page.
import { createHash, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../server/start.js';
import { openPage, startServer, waitForScreen, waitForState, type OpenedPage } from '../helpers/browser.js';
import { launchChromium } from '../helpers/chromium.js';

let server: RunningServer | undefined;
let browser: Browser | undefined;
const contexts: BrowserContext[] = [];
const TOKEN = 'e2e-tls-token-not-secret';

beforeAll(async () => {
  server = await startServer({ tls: 'self-signed', token: TOKEN, httpRedirectPort: 0 });
  // Chromium trusts exactly this key (base64 SHA-256 of its SubjectPublicKeyInfo) and nothing else it has not been told of.
  const cert = new X509Certificate(await readFile(server.tls!.certFile));
  const spki = createHash('sha256').update(cert.publicKey.export({ type: 'spki', format: 'der' })).digest('base64');
  browser = await launchChromium([`--ignore-certificate-errors-spki-list=${spki}`]);
});

afterEach(async () => {
  await Promise.all(contexts.splice(0).map((c) => c.close()));
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function open(url: string): Promise<OpenedPage> {
  if (!browser) throw new Error('beforeAll did not launch the browser');
  const opened = await openPage(browser, url);
  contexts.push(opened.context);
  return opened;
}

describe('the page over TLS', () => {
  it('opens the printed https URL, keeps the token in a Secure cookie, and streams over wss', async () => {
    const { page, context, response, sockets, errors } = await open(server!.openUrl);
    expect(server!.openUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/\?token=/);
    expect(response?.status()).toBe(200);
    expect(page.url()).toBe(server!.url); // the token left the address bar
    await waitForState(page, 'open');
    await waitForScreen(page, 'READY');
    expect(await page.evaluate(() => [location.protocol, window.isSecureContext])).toEqual(['https:', true]);

    const urls = sockets.sockets.map((socket) => socket.url);
    expect(urls.length).toBeGreaterThan(0);
    for (const url of urls) expect(url).toMatch(new RegExp(`^wss://127\\.0\\.0\\.1:${new URL(server!.url).port}/ws`));
    expect(sockets.sockets[0]!.messages[0]).toMatchObject({ type: 'hello', port: 'demo' });

    const cookie = (await context.cookies(server!.url)).find((c) => c.name === 'serialdeck_token');
    expect(cookie).toMatchObject({ value: TOKEN, secure: true, httpOnly: true, sameSite: 'Strict' });
    expect(errors).toEqual([]);
  });

  it('follows the plain-HTTP redirect to the same console over https', async () => {
    const plain = `${server!.httpRedirectUrl!}?token=${TOKEN}`;
    expect(plain).toMatch(/^http:\/\//);
    const { page } = await open(plain);
    expect(page.url()).toBe(server!.url);
    await waitForState(page, 'open');
    await waitForScreen(page, 'READY');
  });

  it('is refused by a browser that does not trust the certificate', async () => {
    const untrusting = await launchChromium();
    try {
      const page = await untrusting.newPage();
      await expect(page.goto(server!.url)).rejects.toThrow(/ERR_CERT_AUTHORITY_INVALID/);
    } finally {
      await untrusting.close();
    }
  });
});
