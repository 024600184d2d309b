// The one live socket per page. Messages carry a per-connection sequence number; a hole in the sequence, a
// "resync" message or a reconnect makes every view re-fetch its REST snapshot, so what the page shows never
// depends on having received every delta.
import { createStore } from './store.js';

export interface Delta {
  type: string;
  agentId?: string;
  hostname?: string;
  from?: string;
  to?: string;
  reason?: string;
  eventType?: string;
  resource?: string;
  at: string;
}

export type LiveStatus = 'connecting' | 'live' | 'reconnecting' | 'off';
export const liveStatus = createStore<LiveStatus>('off');

type Listener = (deltas: Delta[] | 'resync') => void;
const listeners = new Set<Listener>();
let socket: WebSocket | null = null;
let lastSeq = 0;
let retryMs = 500;
let retryTimer: number | undefined;
let wanted = false;

export function onLive(fn: Listener): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

const emit = (d: Delta[] | 'resync') => listeners.forEach((fn) => fn(d));

function open(): void {
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/v1/live`;
  const ws = new WebSocket(url);
  socket = ws;
  liveStatus.set(liveStatus.get() === 'off' ? 'connecting' : 'reconnecting');
  ws.onmessage = (ev) => {
    let msg: { seq?: number; deltas?: Delta[]; resync?: boolean; hello?: unknown };
    try {
      msg = JSON.parse(String(ev.data));
    } catch {
      return;
    }
    if (typeof msg.seq !== 'number') return;
    if (msg.hello) {
      lastSeq = msg.seq;
      retryMs = 500;
      liveStatus.set('live');
      emit('resync'); // whatever happened while we were away is in the snapshot, not in deltas
      return;
    }
    const gap = msg.seq !== lastSeq + 1;
    lastSeq = msg.seq;
    if (gap || msg.resync) emit('resync');
    else if (msg.deltas?.length) emit(msg.deltas);
  };
  ws.onclose = (ev) => {
    if (socket !== ws) return;
    socket = null;
    if (!wanted) return liveStatus.set('off');
    if (ev.code === 4401) {
      liveStatus.set('off');
      return; // the session ended; the next API call shows the login page
    }
    liveStatus.set('reconnecting');
    retryTimer = window.setTimeout(open, retryMs);
    retryMs = Math.min(retryMs * 2, 15_000);
  };
}

export function startLive(): void {
  if (wanted) return;
  wanted = true;
  open();
}

export function stopLive(): void {
  wanted = false;
  window.clearTimeout(retryTimer);
  socket?.close();
  socket = null;
  liveStatus.set('off');
}
