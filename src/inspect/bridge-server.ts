/**
 * The inspector bridge, on loopback only: an HTTP page that embeds the Stately
 * inspector UI and a WebSocket that relays inspection events from this
 * process to it. The @statelyai/inspect package ships a server like this one,
 * but it listens on every interface; this one binds 127.0.0.1. Events are
 * buffered, so a page or receiver that connects late still sees the replay.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';

export const STATELY_INSPECTOR_URL = 'https://stately.ai/inspect';

export interface Bridge {
  port: number;
  /** ws:// URL the inspector connects to. */
  url: string;
  /** http:// URL of the page a person opens. */
  pageUrl: string;
  /** clients other than the inspector that received the whole buffer so far. */
  receivers(): number;
  close(): Promise<void>;
}

function bridgePage(wsUrl: string, inspectorUrl: string): string {
  return `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>gmem-model in the Stately inspector</title>
<style>*{margin:0;padding:0}html,body{height:100%}iframe{width:100%;height:100%;border:none}</style></head>
<body><iframe id="inspector" src="${inspectorUrl}"></iframe>
<script>
  // The inspector UI itself comes from stately.ai in this browser; events come from gmem over loopback.
  const iframe = document.getElementById('inspector');
  const buffer = [];
  let connected = false;
  window.addEventListener('message', (e) => {
    if (e.data && e.data.type === '@statelyai.connected') {
      connected = true;
      buffer.splice(0).forEach((event) => iframe.contentWindow.postMessage(event, '*'));
    }
  });
  const ws = new WebSocket(${JSON.stringify(wsUrl)});
  ws.onmessage = (event) => {
    const data = JSON.parse(event.data);
    if (connected) iframe.contentWindow.postMessage(data, '*');
    else buffer.push(data);
  };
</script></body></html>`;
}

export function startBridge(port: number, inspectorUrl = STATELY_INSPECTOR_URL): Promise<Bridge> {
  const buffer: string[] = [];
  let producer: WebSocket | undefined;
  const caughtUp = new Set<WebSocket>();
  let wsUrl = '';
  const server = http.createServer((_, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(bridgePage(wsUrl, inspectorUrl));
  });
  const wss = new WebSocketServer({ server });
  // ws re-emits the server's errors (EADDRINUSE) on itself: without a listener they would crash the process.
  wss.on('error', () => undefined);
  wss.on('connection', (ws, req) => {
    // The inspector in this process announces itself with a query; everyone else receives.
    if (req.url?.includes('role=producer')) {
      producer = ws;
      ws.on('message', (data) => {
        const msg = data.toString();
        buffer.push(msg);
        for (const client of wss.clients) if (client !== producer && client.readyState === WebSocket.OPEN) client.send(msg);
      });
      return;
    }
    for (const msg of buffer) ws.send(msg);
    caughtUp.add(ws);
    ws.on('close', () => caughtUp.delete(ws));
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
        close: () =>
          new Promise((done) => {
            for (const client of wss.clients) client.terminate();
            wss.close();
            server.close(() => done());
          }),
      });
    });
  });
}
