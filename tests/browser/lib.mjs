// Shared by the console's browser flows: Debian's Chromium through playwright-core, kept off
// the network (only the gateway on loopback answers), waits on conditions (never on time), and
// screenshots as test artifacts.
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import path from 'node:path';

export const WAIT = 20000;  // the longest any one condition may take

// Playwright gives each launch a fresh profile of its own (no --user-data-dir needed).
export async function launch() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--disable-dev-shm-usage'],
  });
}

// A browser context for one person: desk (a big screen) or phone. Requests to anywhere but
// the gateway are refused, and every page error or console error is kept for the end.
export async function newPerson(browser, base, { phone = false, lang = 'en' } = {}) {
  const context = await browser.newContext({
    viewport: phone ? { width: 390, height: 844 } : { width: 1440, height: 1000 },
    isMobile: phone, hasTouch: phone, locale: lang === 'nl' ? 'nl-NL' : 'en-GB',
    timezoneId: 'Europe/Amsterdam', serviceWorkers: 'block',
  });
  const origin = new URL(base).origin;
  await context.route('**/*', (route) => (route.request().url().startsWith(origin) ? route.fallback() : route.abort()));
  await context.addInitScript((l) => { if (!localStorage.getItem('piket.lang')) localStorage.setItem('piket.lang', l); }, lang);
  const page = await context.newPage();
  page.problems = [];
  page.on('pageerror', (e) => page.problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    // A refused request (the 403 and 404 the flows provoke) is logged by Chromium as
    // "Failed to load resource"; anything else is a problem (a CSP refusal among them).
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) page.problems.push(`console: ${m.text()}`);
  });
  return { context, page };
}

export async function signIn(page, base, user, password) {
  await page.goto(`${base}/`);
  await page.locator('body[data-ready="true"]').waitFor({ timeout: WAIT });
  await page.locator('#user').fill(user);
  await page.locator('#password').fill(password);
  await page.locator('#sign-in button[type="submit"]').click();
  await page.locator('#sign-out:not([hidden])').waitFor({ timeout: WAIT });
}

export async function until(page, fn, arg, what) {
  try {
    await page.waitForFunction(fn, arg, { timeout: WAIT, polling: 100 });
  } catch (e) {
    throw new Error(`waited in vain for: ${what}`);
  }
}

export function check(condition, what) {
  if (!condition) throw new Error(`check failed: ${what}`);
  console.log(`ok - ${what}`);
}

export async function shoot(page, dir, name) {
  fs.mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true });
}

// The same screen in the other language too: switch, wait for a text of that language, shoot,
// switch back.
export async function shootBoth(page, dir, name, marker) {
  await shoot(page, dir, `${name}-en`);
  await page.locator('#lang').selectOption('nl');
  if (marker) await page.locator(marker).first().waitFor({ timeout: WAIT });
  await until(page, () => document.documentElement.lang === 'nl', null, 'Dutch texts');
  await shoot(page, dir, `${name}-nl`);
  await page.locator('#lang').selectOption('en');
  await until(page, () => document.documentElement.lang === 'en', null, 'English texts');
}
