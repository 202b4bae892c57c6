import { app, BrowserWindow, dialog, ipcMain, session, shell, type IpcMainInvokeEvent } from 'electron';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { safeFilename, saveRequest } from '../../shared/contract/save';
import { createCore, type Core } from '../app/core';
import { trackClientWatches, type ClientWatches } from '../app/client-watches';
import { createDispatcher } from '../app/dispatch';
import { ErrorLog } from '../app/error-log';
import { createHandlers } from '../app/handlers';
import { APP_ORIGIN, registerAppScheme, serveRenderer } from './app-protocol';
import { electronPdf } from './print-pdf';

// The desktop shell: one window, the core in this process, IPC as the only way in. It follows the
// Electron security checklist: sandboxed renderer with context isolation, no Node, a custom
// origin with a strict CSP, no navigation or new windows, no permissions, sender checks on IPC.

registerAppScheme();
if (!app.requestSingleInstanceLock()) app.quit();

let core: Core | undefined;
let dispatch: ClientWatches | undefined;
/** The window is the one client: its watches stop when it reloads, navigates, crashes or closes. */
const WINDOW_CLIENT = 'window';
let window: BrowserWindow | undefined;

const packageRoot = path.resolve(__dirname, '../../..');

function electronSqliteBinding(): string | undefined {
  // In development the postinstall step builds better-sqlite3 for Electron's ABI beside Node's.
  const dev = path.join(packageRoot, '.electron-native', 'better_sqlite3.node');
  return !app.isPackaged && existsSync(dev) ? dev : undefined;
}

function trustedSender(event: IpcMainInvokeEvent): boolean {
  const frame = event.senderFrame;
  return Boolean(window && event.sender === window.webContents && frame && frame.url.startsWith(`${APP_ORIGIN}/`));
}

function createWindow(): void {
  window = new BrowserWindow({
    width: 1440,
    height: 900,
    minWidth: 1024,
    minHeight: 640,
    title: 'Drydock',
    backgroundColor: '#0f1419',
    show: false,
    webPreferences: {
      preload: path.join(__dirname, 'preload.js'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    },
  });
  window.once('ready-to-show', () => window?.show());
  const endWatches = () => void dispatch?.end(WINDOW_CLIENT);
  window.webContents.on('did-navigate', endWatches);
  window.webContents.on('render-process-gone', endWatches);
  window.on('closed', () => {
    endWatches();
    window = undefined;
  });
  void window.loadURL(`${APP_ORIGIN}/index.html`);
}

app.on('web-contents-created', (_event, contents) => {
  contents.setWindowOpenHandler(({ url }) => {
    // Links to documentation open in the system browser; nothing opens inside Drydock.
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
  contents.on('will-navigate', (event, url) => {
    if (!url.startsWith(`${APP_ORIGIN}/`)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
});

void app.whenReady().then(() => {
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  serveRenderer(path.join(packageRoot, 'dist', 'renderer'));
  const binding = electronSqliteBinding();
  core = createCore({
    storeDir: path.join(app.getPath('userData'), 'evidence-store'),
    ...(binding ? { nativeBinding: binding } : {}),
    pdfRenderer: electronPdf,
    followLogs: true,
  });
  // Internal errors keep their stacks in the app's data directory; the UI shows the ID that finds one.
  dispatch = trackClientWatches(
    createDispatcher(createHandlers(core), { errorLog: new ErrorLog(path.join(app.getPath('userData'), 'logs')) }),
  );
  ipcMain.handle('drydock:invoke', async (event, channel: unknown, request: unknown) => {
    if (!trustedSender(event) || !dispatch)
      return { ok: false, error: { kind: 'permission-denied', message: 'IPC from an untrusted frame' } };
    return dispatch.dispatch(WINDOW_CLIENT, channel, request);
  });
  // Files out: the native save dialog chooses the path, then the store's own export writes there.
  ipcMain.handle('drydock:save', async (event, request: unknown) => {
    if (!trustedSender(event) || !dispatch || !window)
      return { ok: false, error: { kind: 'permission-denied', message: 'IPC from an untrusted frame' } };
    const parsed = saveRequest.safeParse(request);
    if (!parsed.success) return { ok: false, error: { kind: 'invalid-input', message: 'Invalid save request' } };
    const filename = safeFilename(parsed.data.filename, parsed.data.kind);
    const choice = await dialog.showSaveDialog(window, { defaultPath: path.join(app.getPath('downloads'), filename) });
    if (choice.canceled || !choice.filePath) return { ok: true, value: { filename, bytes: 0, sha256: '', cancelled: true } };
    const r = parsed.data;
    const result =
      r.kind === 'artifact'
        ? await dispatch.dispatch(WINDOW_CLIENT, 'evidence.export-artifact', { artifactId: r.artifactId, path: choice.filePath })
        : await dispatch.dispatch(WINDOW_CLIENT, 'evidence.export-bundle', {
            path: choice.filePath,
            ...(r.caseRef !== undefined ? { caseRef: r.caseRef } : {}),
          });
    if (!result.ok) return result;
    const saved = result.value as { bytes: number; sha256: string };
    return {
      ok: true,
      value: { filename: path.basename(choice.filePath), bytes: saved.bytes, sha256: saved.sha256, path: choice.filePath },
    };
  });
  core.events.subscribe((event, payload) => {
    if (window && !window.isDestroyed()) window.webContents.send('drydock:event', { event, payload });
  });
  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
});

app.on('second-instance', () => {
  if (window?.isMinimized()) window.restore();
  window?.focus();
});

app.on('window-all-closed', () => app.quit());

let quitting = false;
app.on('before-quit', (event) => {
  // Captures in flight are finished into the store before the process goes.
  if (quitting || !core) return;
  event.preventDefault();
  quitting = true;
  void core.close().finally(() => app.quit());
});
