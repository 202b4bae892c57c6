import { BrowserWindow, session } from 'electron';
import type { PdfRenderer } from '../core/report/pdf-render';

/**
 * The case report's PDF in the desktop app: Chromium's own printToPDF on the report's HTML in a
 * hidden, sandboxed window of its own session that refuses every request (the page is
 * self-contained; nothing it names may load), JavaScript off. Not runnable on the test machine
 * (no Electron binary there); the CLI and the tests render through playwright-core instead.
 */
export const electronPdf: PdfRenderer = async (html) => {
  const partition = `drydock-report-${process.pid}-${Date.now()}`;
  const reportSession = session.fromPartition(partition, { cache: false });
  reportSession.webRequest.onBeforeRequest((details, callback) => callback({ cancel: !details.url.startsWith('data:') }));
  const win = new BrowserWindow({
    show: false,
    webPreferences: { sandbox: true, contextIsolation: true, nodeIntegration: false, javascript: false, session: reportSession },
  });
  try {
    await win.loadURL(`data:text/html;charset=utf-8;base64,${Buffer.from(html, 'utf8').toString('base64')}`);
    const pdf = await win.webContents.printToPDF({ pageSize: 'A4', printBackground: true });
    return { pdf: Buffer.from(pdf), renderer: `Electron ${process.versions.electron} printToPDF (Chromium ${process.versions.chrome})` };
  } finally {
    win.destroy();
  }
};
