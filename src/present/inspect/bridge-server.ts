/**
 * The inspector bridge, on loopback only: an HTTP page that embeds the Stately
 * inspector UI and a WebSocket that relays inspection events from this
 * process to it. The @statelyai/inspect package ships a server like this one,
 * but it listens on every interface; this one binds 127.0.0.1. Events are
 * buffered, so a page or receiver that connects late still sees the replay.
 *
 * The page tells the truth about what it can see: whether gmem's bridge
 * answers, whether the inspector UI loaded from stately.ai (offline it cannot,
 * and the page says so and points to `gmem view`), and where the replay is
 * (waiting for an inspector, step k of n, done), from GET /status.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';

export const STATELY_INSPECTOR_URL = 'https://stately.ai/inspect';

export interface ReplayStatus {
  title: string;
  phase: 'waiting' | 'replaying' | 'done' | 'gave-up';
  step: number;
  total: number;
}

export interface Bridge {
  port: number;
  /** ws:// URL the inspector connects to. */
  url: string;
  /** http:// URL of the page a person opens. */
  pageUrl: string;
  /** clients other than the inspector that received the whole buffer so far. */
  receivers(): number;
  /** resolves when a receiver is connected, or with false after `ms`. */
  waitForReceiver(ms: number): Promise<boolean>;
  /** sends one event to every receiver (and buffers it for late ones), as the producer would. */
  publish(message: string): void;
  status: ReplayStatus;
  close(): Promise<void>;
}

/** How long the page waits for the inspector UI to say it is connected before calling it unreachable. */
export const INSPECTOR_LOAD_TIMEOUT_MS = 8000;

function bridgePage(wsUrl: string, inspectorUrl: string): string {
  return `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>gmem-model in the Stately inspector</title>
<style>
*{margin:0;padding:0}html,body{height:100%;font-family:system-ui,sans-serif}
body{display:flex;flex-direction:column}
#bar{display:flex;gap:1.5rem;align-items:center;padding:.4rem .8rem;background:#263238;color:#eceff1;font-size:14px;flex-wrap:wrap}
#bar b{color:#fff}.ok{color:#a5d6a7}.bad{color:#ef9a9a}.wait{color:#ffe082}
#offline{display:none;padding:1rem 1.2rem;background:#fff3e0;border-bottom:2px solid #e65100;font-size:15px;line-height:1.5}
#offline code{background:#fff;padding:0 .3rem;border:1px solid #ddd}
iframe{flex:1;width:100%;border:none}
</style></head>
<body>
<div id="bar" data-testid="bar">
  <span>gmem bridge: <b id="bridge" data-testid="bridge" class="wait">connecting…</b></span>
  <span>inspector UI: <b id="inspector-state" data-testid="inspector-state" class="wait">loading from stately.ai…</b></span>
  <span>replay: <b id="replay" data-testid="replay" class="wait">…</b></span>
</div>
<div id="offline" data-testid="offline">
  The Stately inspector UI could not be loaded from <code>${inspectorUrl}</code>: this browser seems to be offline,
  or stately.ai is unreachable. The replay has nothing to show it to.
  For an offline view of the same machines, stop this and run <code>npx gmem view</code>
  (diagrams and a step-through of any use case or trace, served from this machine).
</div>
<iframe id="inspector" src="${inspectorUrl}"></iframe>
<script>
  // The inspector UI itself comes from stately.ai in this browser; events come from gmem over loopback.
  const $ = (id) => document.getElementById(id);
  const set = (id, text, cls) => { $(id).textContent = text; $(id).className = cls; };
  const iframe = $('inspector');
  let inspectorUp = false;
  function offline(why) {
    if (inspectorUp) return;
    set('inspector-state', 'not loaded (' + why + ')', 'bad');
    $('offline').style.display = 'block';
  }
  if (!navigator.onLine) offline('the browser is offline');
  // A cross-origin frame cannot be inspected; a no-cors probe fails fast when the site is unreachable.
  fetch(${JSON.stringify(inspectorUrl)}, { mode: 'no-cors', cache: 'no-store' }).catch(() => offline('stately.ai unreachable'));
  setTimeout(() => offline('no answer within ${INSPECTOR_LOAD_TIMEOUT_MS / 1000} s'), ${INSPECTOR_LOAD_TIMEOUT_MS});
  window.addEventListener('message', (e) => {
    if (!e.data || e.data.type !== '@statelyai.connected' || inspectorUp) return;
    inspectorUp = true;
    $('offline').style.display = 'none';
    set('inspector-state', 'connected', 'ok');
    // Only now does this page count as an inspector: the bridge starts stepping when it connects.
    const ws = new WebSocket(${JSON.stringify(wsUrl)});
    ws.onmessage = (event) => iframe.contentWindow.postMessage(JSON.parse(event.data), '*');
  });
  async function poll() {
    try {
      const s = await (await fetch('/status', { cache: 'no-store' })).json();
      set('bridge', 'connected', 'ok');
      const text = s.phase === 'waiting' ? 'waiting for an inspector to connect' : s.phase === 'gave-up' ? 'gave up: no inspector connected' : s.phase === 'done' ? 'done (' + s.total + ' steps)' : 'step ' + s.step + ' of ' + s.total;
      set('replay', s.title + ': ' + text, s.phase === 'gave-up' ? 'bad' : s.phase === 'waiting' ? 'wait' : 'ok');
    } catch {
      set('bridge', 'not answering (gmem inspect stopped?)', 'bad');
    }
    setTimeout(poll, 1000);
  }
  poll();
</script></body></html>`;
}

export function startBridge(port: number, inspectorUrl = STATELY_INSPECTOR_URL): Promise<Bridge> {
  const buffer: string[] = [];
  let producer: WebSocket | undefined;
  const caughtUp = new Set<WebSocket>();
  const waiters: Array<() => void> = [];
  let wsUrl = '';
  const status: ReplayStatus = { title: '', phase: 'waiting', step: 0, total: 0 };
  const server = http.createServer((req, res) => {
    if (req.url === '/status') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify({ ...status, receivers: caughtUp.size }));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(bridgePage(wsUrl, inspectorUrl));
  });
  const wss = new WebSocketServer({ server });
  // ws re-emits the server's errors (EADDRINUSE) on itself: without a listener they would crash the process.
  wss.on('error', () => undefined);
  const publish = (msg: string) => {
    buffer.push(msg);
    for (const client of caughtUp) if (client.readyState === WebSocket.OPEN) client.send(msg);
  };
  wss.on('connection', (ws, req) => {
    // The inspector in this process announces itself with a query; everyone else receives.
    if (req.url?.includes('role=producer')) {
      producer = ws;
      ws.on('message', (data) => publish(data.toString()));
      return;
    }
    for (const msg of buffer) ws.send(msg);
    caughtUp.add(ws);
    ws.on('close', () => caughtUp.delete(ws));
    waiters.splice(0).forEach((wake) => wake());
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const actual = (server.address() as AddressInfo).port;
      wsUrl = `ws://127.0.0.1:${actual}`;
      resolve({
        port: actual,
        url: `${wsUrl}/?role=producer`,
        pageUrl: `http://127.0.0.1:${actual}/`,
        receivers: () => caughtUp.size,
        waitForReceiver: (ms) =>
          caughtUp.size > 0
            ? Promise.resolve(true)
            : new Promise((done) => {
                const timer = setTimeout(() => done(false), ms);
                waiters.push(() => {
                  clearTimeout(timer);
                  done(true);
                });
              }),
        publish,
        status,
        close: () =>
          new Promise((done) => {
            void producer;
            for (const client of wss.clients) client.terminate();
            wss.close();
            server.close(() => done());
          }),
      });
    });
  });
}
