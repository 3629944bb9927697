// Shared by the window's end-to-end tests: Debian's Chromium through playwright-core (no browser
// download), started with the flags this machine needs (no sandbox as root, no background
// networking on a closed network), and a page that records every console error and page error.

import * as fs from 'node:fs';
import * as path from 'node:path';

import { chromium, type Browser, type Page } from 'playwright-core';

// Page-side code below runs in Chromium; the engine's tsconfig has no DOM library, so the few DOM
// names it uses are declared loosely here (module scope only).
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const document: any;
type HTMLElement = any;
type HTMLInputElement = any;

export const CHROMIUM = process.env.QWB_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'];
export const SHOTS = path.join(__dirname, '..', '..', '..', 'test-results', 'window');

export function chromiumMissing(): string | undefined {
  return fs.existsSync(CHROMIUM) ? undefined : `${CHROMIUM} is missing (Debian package chromium; scripts/setup.sh installs it)`;
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
}

/** Console errors and page errors seen by a page: the test fails on any. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()} (${m.location().url})`);
  });
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  return errors;
}

/** Controls without an accessible name (buttons, links, inputs, selects) on the page now. */
export async function unnamedControls(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    for (const el of Array.from(document.querySelectorAll('button, a[href], input, select, textarea')) as any[]) {
      const h = el as HTMLElement;
      if (h.offsetParent === null && (h as HTMLInputElement).type !== 'radio' && (h as HTMLInputElement).type !== 'checkbox') continue;
      const label = h.getAttribute('aria-label') || h.getAttribute('aria-labelledby') || (h as HTMLInputElement).labels?.length || (el.tagName === 'BUTTON' || el.tagName === 'A' ? h.textContent?.trim() : '') || h.getAttribute('title');
      if (!label) out.push(h.outerHTML.slice(0, 120));
    }
    return out;
  });
}
