// Electron main: the window, its menu and dialogs, and the routing of engine messages to the
// engine process (a utilityProcess, never this process: a crash there leaves the window alive;
// the router starts a new one by itself). No business logic here. Security (Electron's checklist,
// decided in policy.ts and applied here): the page from our own qwb:// scheme (never file://),
// context isolation, the sandbox for every renderer, no Node in the page, a CSP header over the
// page's meta policy, no network requests, navigation/new windows/webviews/permissions refused,
// and every IPC message's sender (our window's top frame on our page) and arguments checked.

import { app, BrowserWindow, dialog, ipcMain, Menu, net, protocol, session, shell, utilityProcess, type IpcMainEvent, type IpcMainInvokeEvent, type MenuItemConstructorOptions } from 'electron';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

import type { FromEngineMessage, MenuCommand, ShellSession } from '../engine/api/contract';
import { EngineRouter, type EngineChannel, type EngineExit, type RouterClient } from '../engine/host/engine-router';
import { CHANNELS } from './channels';
import { APP_SCHEME, appFile, checkIpcArgs, CONTENT_SECURITY_POLICY, INDEX_URL, navigationAllowed, requestAllowed, senderAllowed, WEB_PREFERENCES } from './policy';

// Bundled to dist/electron/main.js; the engine and the renderer are compiled beside it.
const DIST = path.join(__dirname, '..');
const ENGINE_ENTRY = path.join(DIST, 'engine', 'host', 'engine-process.js');
const WINDOW_DIR = path.join(DIST, 'window');
const PRELOAD = path.join(__dirname, 'preload.js');

// Before the app is ready: our scheme behaves like https (standard, secure origin qwb://app).
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
app.enableSandbox();
const SERVICE_NAME = 'Quant Workbench engine';

const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'qwb-app-'));
const windows = new Map<number, { win: BrowserWindow; client: RouterClient }>();
let lastGone: { reason: string; exitCode: number } | undefined;

function forkEngine(): EngineChannel {
  const env: Record<string, string> = { ...(process.env as Record<string, string>) };
  // Packaged: the export runtime ships prebuilt in resources/ (electron-builder extraResources).
  if (app.isPackaged) env.QWB_EXPORT_CACHE = path.join(process.resourcesPath, 'export-runtime');
  const child = utilityProcess.fork(ENGINE_ENTRY, [], { serviceName: SERVICE_NAME, stdio: 'inherit', env });
  return {
    send: (m) => child.postMessage(m),
    onMessage: (fn) => child.on('message', (m: FromEngineMessage) => fn(m)),
    onExit: (fn) =>
      child.on('exit', (code) => {
        // child-process-gone (with the reason: crashed, oom, ...) may come just after 'exit'.
        setTimeout(() => {
          const gone = lastGone;
          lastGone = undefined;
          const exit: EngineExit = { code, signal: gone?.reason === 'crashed' ? 'SIGSEGV' : gone?.reason === 'oom' ? 'SIGKILL' : null };
          fn(exit);
        }, 50);
      }),
    kill: () => {
      // SIGTERM, then SIGKILL for an engine that does not go (stuck in native code): Restart relies on it.
      const pid = child.pid;
      child.kill();
      if (pid === undefined) return;
      setTimeout(() => {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone already
        }
      }, 2000).unref();
    },
  };
}

const router = new EngineRouter(forkEngine, { log: (l) => process.stderr.write(`qwb: ${l}\n`) });

/** The window a message came from, if it is one of ours and the message came from its top frame
 *  showing our page. */
function ours(event: IpcMainEvent | IpcMainInvokeEvent): BrowserWindow | undefined {
  const entry = windows.get(event.sender.id);
  const frame = event.senderFrame;
  const ok = senderAllowed({
    ownWindow: !!entry && BrowserWindow.fromWebContents(event.sender) === entry.win,
    topFrame: !!frame && frame.parent === null,
    frameUrl: frame?.url,
  });
  return ok ? entry!.win : undefined;
}

function shellSession(): ShellSession {
  return { mode: 'electron', workspace, exportDir: path.join(app.getPath('documents'), 'Quant Workbench exports'), version: app.getVersion() };
}

function menuCommand(cmd: MenuCommand): void {
  const win = BrowserWindow.getFocusedWindow() ?? [...windows.values()][0]?.win;
  win?.webContents.send(CHANNELS.menu, cmd);
}

function buildMenu(): void {
  const template: MenuItemConstructorOptions[] = [
    {
      label: 'File',
      submenu: [
        { label: 'Open Model…', accelerator: 'CmdOrCtrl+O', click: () => menuCommand('open-model') },
        { label: 'Try the Demo Model', click: () => menuCommand('open-demo') },
        { label: 'Home', accelerator: 'CmdOrCtrl+H', click: () => menuCommand('go-home') },
        { type: 'separator' },
        { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [{ role: 'resetZoom' }, { role: 'zoomIn' }, { role: 'zoomOut' }, { type: 'separator' }, { role: 'togglefullscreen' }, ...(app.isPackaged ? [] : [{ role: 'toggleDevTools' } as MenuItemConstructorOptions])],
    },
    {
      label: 'Help',
      submenu: [
        {
          label: 'About Quant Workbench',
          click: () => void dialog.showMessageBox({ type: 'info', title: 'Quant Workbench', message: `Quant Workbench ${app.getVersion()}`, detail: `Post-training INT8 quantization over oneDNN.\nElectron ${process.versions.electron}, Node ${process.versions.node}` }),
        },
      ],
    },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}

function createWindow(): void {
  const win = new BrowserWindow({
    width: 1400,
    height: 900,
    minWidth: 800,
    minHeight: 560,
    title: 'Quant Workbench',
    show: false,
    webPreferences: { ...WEB_PREFERENCES, preload: PRELOAD },
  });
  const id = win.webContents.id;
  const client = router.connect((msg) => {
    if (!win.isDestroyed()) win.webContents.send(CHANNELS.engineMessage, msg);
  });
  windows.set(id, { win, client });
  win.on('closed', () => {
    client.close();
    windows.delete(id);
  });
  win.once('ready-to-show', () => win.show());
  void win.loadURL(INDEX_URL);
}

/** qwb://app/... -> the file of the renderer build, with the CSP header on pages. */
function serveApp(): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const file = appFile(request.url, WINDOW_DIR);
    if (!file) return new Response('not found', { status: 404 });
    const res = await net.fetch(pathToFileURL(file).href);
    if (!file.endsWith('.html')) return res;
    const headers = new Headers(res.headers);
    headers.set('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    return new Response(res.body, { status: res.status, headers });
  });
}

function harden(): void {
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  // The page never reaches the network (the CSP says so too; this also covers what CSP does not).
  session.defaultSession.webRequest.onBeforeRequest({ urls: ['http://*/*', 'https://*/*', 'ws://*/*', 'wss://*/*', 'ftp://*/*'] }, (details, callback) => callback({ cancel: !requestAllowed(details.url) }));
  app.on('web-contents-created', (_e, contents) => {
    contents.on('will-navigate', (e, url) => {
      if (!navigationAllowed(url)) e.preventDefault();
    });
    contents.on('will-frame-navigate', (e) => {
      if (!navigationAllowed(e.url)) e.preventDefault();
    });
    contents.on('will-redirect', (e) => e.preventDefault());
    contents.on('will-attach-webview', (e) => e.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });
}

function wireIpc(): void {
  const log = (l: string) => process.stderr.write(`qwb: ${l}\n`);
  /** One-way messages: dropped (and logged) unless the sender and the arguments pass. */
  const listen = (channel: string, fn: (win: BrowserWindow, ...args: unknown[]) => void) =>
    ipcMain.on(channel, (event, ...args: unknown[]) => {
      const win = ours(event);
      const problem = win ? checkIpcArgs(channel, args) : `${channel}: refused, not the workbench window`;
      if (problem) return log(problem);
      fn(win!, ...args);
    });
  /** Calls: rejected with the reason unless the sender and the arguments pass. */
  const guarded = (channel: string, fn: (win: BrowserWindow, ...args: unknown[]) => Promise<unknown> | unknown) =>
    ipcMain.handle(channel, (event, ...args: unknown[]) => {
      const win = ours(event);
      if (!win) throw new Error(`${channel}: refused, not the workbench window`);
      const problem = checkIpcArgs(channel, args);
      if (problem) throw new Error(problem);
      return fn(win, ...args);
    });
  // The message itself is checked by the router (SERVICE_METHODS, each method's params schema).
  listen(CHANNELS.engineSend, (win, msg) => windows.get(win.webContents.id)?.client.handle(msg));
  listen(CHANNELS.showInFolder, (_win, p) => shell.showItemInFolder(p as string));
  guarded(CHANNELS.session, () => shellSession());
  guarded(CHANNELS.openModel, async (win) => {
    const r = await dialog.showOpenDialog(win, { title: 'Open an ONNX model', properties: ['openFile'], filters: [{ name: 'ONNX models', extensions: ['onnx'] }] });
    return r.canceled ? null : (r.filePaths[0] ?? null);
  });
  guarded(CHANNELS.chooseFolder, async (win, title, defaultPath) => {
    const r = await dialog.showOpenDialog(win, { title: title as string, defaultPath: defaultPath as string | undefined, properties: ['openDirectory', 'createDirectory'] });
    return r.canceled ? null : (r.filePaths[0] ?? null);
  });
  guarded(CHANNELS.chooseFile, async (win, title) => {
    const r = await dialog.showOpenDialog(win, { title: title as string, properties: ['openFile'] });
    return r.canceled ? null : (r.filePaths[0] ?? null);
  });
}

app.on('child-process-gone', (_e, details) => {
  if (details.type === 'Utility' && details.serviceName === SERVICE_NAME) lastGone = { reason: details.reason, exitCode: details.exitCode };
});

app.whenReady().then(() => {
  serveApp();
  harden();
  wireIpc();
  buildMenu();
  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
});

app.on('window-all-closed', () => app.quit());
app.on('will-quit', () => {
  router.close();
  fs.rmSync(workspace, { recursive: true, force: true });
});
