// The report's PDF, rendered from the same HTML by a browser engine. In the desktop app that is
// Electron's webContents.printToPDF (main/electron passes it in); in the CLI and the tests it is a
// Chromium installed on this machine, driven by playwright-core (never downloaded: an air-gapped
// laptop has what it has). Every request the page might make is refused, so rendering cannot
// reach out even if the page were hostile.
import { existsSync } from 'node:fs';
import type { chromium as ChromiumType } from 'playwright-core';
import { DrydockFailure } from '../errors';

/** Renders HTML to PDF bytes; `renderer` names the engine for the record. */
export type PdfRenderer = (html: string) => Promise<{ pdf: Buffer; renderer: string }>;

const CANDIDATES = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/usr/bin/microsoft-edge',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
  'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe',
  'C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe',
];

/** The Chromium to use: DRYDOCK_CHROMIUM, else the first of the usual install paths that exists. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const named = env.DRYDOCK_CHROMIUM;
  if (named) return existsSync(named) ? named : undefined;
  return CANDIDATES.find((p) => existsSync(p));
}

/**
 * A PdfRenderer over a local Chromium through playwright-core, A4 with backgrounds.
 * @throws DrydockFailure('unsupported') when no Chromium is installed (DRYDOCK_CHROMIUM names one
 *   elsewhere) or it cannot start.
 */
export const chromiumPdf: PdfRenderer = async (html) => {
  const executablePath = findChromium();
  if (!executablePath)
    throw new DrydockFailure(
      'unsupported',
      'No Chromium, Chrome or Edge is installed here to render the PDF (set DRYDOCK_CHROMIUM to its path); the HTML report was written',
    );
  let chromium: typeof ChromiumType;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch (err) {
    throw new DrydockFailure(
      'unsupported',
      'playwright-core is not installed, so the PDF cannot be rendered; the HTML report was written',
      {
        cause: err,
      },
    );
  }
  let browser: Awaited<ReturnType<typeof chromium.launch>>;
  try {
    browser = await chromium.launch({
      executablePath,
      // As root (a responder's live USB, a container) Chromium refuses its sandbox.
      args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
    });
  } catch (err) {
    throw new DrydockFailure(
      'unsupported',
      `${executablePath} could not be started to render the PDF: ${(err as Error).message.split('\n')[0] ?? ''}`,
      {
        cause: err,
      },
    );
  }
  try {
    const context = await browser.newContext({ javaScriptEnabled: false, offline: true });
    const page = await context.newPage();
    await page.route('**/*', (route) => route.abort());
    await page.setContent(html, { waitUntil: 'load' });
    const pdf = await page.pdf({
      format: 'A4',
      printBackground: true,
      margin: { top: '12mm', bottom: '12mm', left: '10mm', right: '10mm' },
    });
    return { pdf, renderer: `${browser.version()} (${executablePath}) via playwright-core` };
  } finally {
    await browser.close();
  }
};
