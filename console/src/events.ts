import { authHeaders } from './api';

/**
 * The live stream, GET /api/events (server-sent events). Read with fetch rather than EventSource because
 * EventSource cannot send the Authorization header a remote API requires. After a drop it reconnects with
 * Last-Event-ID, so the API replays what was missed.
 */

export interface LiveEvent {
  id: string;
  kind: string;
  data: unknown;
}

export function connectEvents(onEvent: (e: LiveEvent) => void, onState: (connected: boolean) => void): void {
  let lastId: string | null = null;

  const dispatch = (block: string) => {
    let id: string | null = null;
    let kind = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) continue; // a keep-alive comment
      const at = line.indexOf(':');
      const name = at < 0 ? line : line.slice(0, at);
      const value = at < 0 ? '' : line.slice(at + 1).replace(/^ /, '');
      if (name === 'id') id = value;
      else if (name === 'event') kind = value;
      else if (name === 'data') data.push(value);
    }
    if (id !== null) lastId = id;
    if (data.length === 0) return;
    let parsed: unknown = data.join('\n');
    try {
      parsed = JSON.parse(parsed as string);
    } catch {
      // not JSON: passed on as text
    }
    onEvent({ id: id ?? '', kind, data: parsed });
  };

  const run = async () => {
    const res = await fetch('/api/events', {
      headers: {
        accept: 'text/event-stream',
        ...authHeaders(),
        ...(lastId ? { 'last-event-id': lastId } : {}),
      },
    });
    if (!res.ok || !res.body) throw new Error(`/api/events: ${res.status}`);
    onState(true);
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value.replace(/\r\n?/g, '\n');
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        dispatch(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
      }
    }
  };

  const loop = async () => {
    for (;;) {
      await run().catch(() => undefined);
      onState(false);
      await new Promise((r) => setTimeout(r, 1000));
    }
  };
  void loop();
}
