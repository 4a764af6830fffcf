// Debian's Chromium, launched the one way this project does it: shared by the e2e tests and the
// benchmark (which runs outside vitest, so this module must not import vitest).
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium; `npm test` installs it when missing. No browser can be downloaded here. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Headless flags for a machine without a sandbox, a GPU, or a network worth talking to. */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Launches headless Chromium with its own throwaway profile, plus `extraArgs` (the TLS test's trusted key); the caller closes it. */
export function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: [...CHROMIUM_ARGS, ...extraArgs] });
}
