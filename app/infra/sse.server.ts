// Server-sent events from a Remix resource route:
//
//   export const loader = ({ request, params }: LoaderFunctionArgs) =>
//     eventStream(request, (send) => subscribe(`lot:${params.lotId}`, (e) => send({ event: e.type, data: e.data, id: e.id })));
//
// Under remix-serve nothing holds frames back: `Cache-Control: no-transform` makes its compression
// middleware leave the response alone, and @remix-run/express flushes headers for text/event-stream and
// after every chunk. `X-Accel-Buffering: no` asks nginx-style proxies not to buffer either.
// (test/services/sse.test.ts checks this against the real remix-serve.)

export interface SseMessage {
  /** Event name (`event:`); omitted → the client's "message" event. */
  event?: string;
  /** A string is sent as is (several lines become several `data:` lines); anything else as JSON (bigints as strings). */
  data: unknown;
  /** `id:`, echoed back by the browser as Last-Event-ID when it reconnects. */
  id?: string;
}

/** Writes one event; returns false (and writes nothing) once the stream is closed. */
export type SendEvent = (message: SseMessage) => boolean;

export interface EventStreamContext {
  /** The Last-Event-ID request header of a reconnecting client, or null. */
  lastEventId: string | null;
  /** Aborted when the stream ends, whoever ends it. */
  signal: AbortSignal;
  /** Ends the stream from the server side (runs the cleanup). */
  close: () => void;
}

export type EventStreamCleanup = () => void;

export type EventStreamSetup = (
  send: SendEvent,
  context: EventStreamContext,
) => EventStreamCleanup | void | Promise<EventStreamCleanup | void>;

export interface EventStreamOptions {
  /** Interval of `: heartbeat` comments that keep proxies and load balancers from timing out (default 15 s; 0 = none). */
  heartbeatMs?: number;
  /** `retry:` hint: how long the browser waits before reconnecting (default 3 s). */
  retryMs?: number;
  /** Extra response headers. */
  headers?: HeadersInit;
}

export const DEFAULT_HEARTBEAT_MS = 15_000;
export const DEFAULT_RETRY_MS = 3_000;

function singleLine(field: string, value: string): string {
  if (/[\r\n\0]/.test(value)) throw new TypeError(`SSE ${field} must be a single line without NUL`);
  return value;
}

function dataText(data: unknown): string {
  if (typeof data === "string") return data;
  return JSON.stringify(data ?? null, (_key, value: unknown) => (typeof value === "bigint" ? value.toString() : value));
}

/** One SSE frame, ending with the blank line that dispatches it. */
export function formatSseFrame(message: SseMessage): string {
  let frame = "";
  if (message.id !== undefined) frame += `id: ${singleLine("id", message.id)}\n`;
  if (message.event !== undefined) frame += `event: ${singleLine("event", message.event)}\n`;
  for (const line of dataText(message.data).split(/\r\n|\r|\n/)) frame += `data: ${line}\n`;
  return `${frame}\n`;
}

export function eventStream(request: Request, setup: EventStreamSetup, options: EventStreamOptions = {}): Response {
  const heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
  const retryMs = options.retryMs ?? DEFAULT_RETRY_MS;
  const encoder = new TextEncoder();
  const ended = new AbortController();
  let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  let cleanup: EventStreamCleanup | undefined;

  const runCleanup = () => {
    const fn = cleanup;
    cleanup = undefined;
    if (!fn) return;
    try {
      fn();
    } catch (error) {
      console.error("event stream cleanup failed", error);
    }
  };

  // Ends the stream once, whoever asks first: client gone (request aborted, stream cancelled) or server.
  const end = (closeStream: boolean) => {
    if (ended.signal.aborted) return;
    ended.abort();
    if (heartbeat) clearInterval(heartbeat);
    request.signal.removeEventListener("abort", onAbort);
    runCleanup();
    if (closeStream) {
      try {
        controller?.close();
      } catch {
        // already closed or errored
      }
    }
  };
  const onAbort = () => end(true);

  const write = (text: string): boolean => {
    if (ended.signal.aborted || !controller) return false;
    try {
      controller.enqueue(encoder.encode(text));
      return true;
    } catch {
      end(false);
      return false;
    }
  };

  const send: SendEvent = (message) => {
    const frame = formatSseFrame(message); // throws on a bad id/event even when closed: a programming error
    return write(frame);
  };

  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
      if (request.signal.aborted) {
        end(true);
        return;
      }
      request.signal.addEventListener("abort", onAbort, { once: true });
      write(`retry: ${retryMs}\n\n`);
      if (heartbeatMs > 0) {
        heartbeat = setInterval(() => write(": heartbeat\n\n"), heartbeatMs);
        heartbeat.unref?.();
      }
      const context: EventStreamContext = { lastEventId: request.headers.get("Last-Event-ID"), signal: ended.signal, close: () => end(true) };
      let result: ReturnType<EventStreamSetup>;
      try {
        result = setup(send, context);
      } catch (error) {
        console.error("event stream setup failed", error);
        end(true);
        return;
      }
      const adopt = (fn: EventStreamCleanup | void) => {
        if (!fn) return;
        cleanup = fn;
        if (ended.signal.aborted) runCleanup(); // ended while an async setup was running
      };
      if (result instanceof Promise) {
        result.then(adopt, (error: unknown) => {
          console.error("event stream setup failed", error);
          end(true);
        });
      } else {
        adopt(result);
      }
    },
    cancel() {
      end(false);
    },
  });

  const headers = new Headers(options.headers);
  headers.set("Content-Type", "text/event-stream; charset=utf-8");
  headers.set("Cache-Control", "no-cache, no-transform");
  headers.set("Connection", "keep-alive");
  headers.set("X-Accel-Buffering", "no");
  return new Response(stream, { status: 200, headers });
}
