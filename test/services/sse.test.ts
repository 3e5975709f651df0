// Server-sent events: frames read from eventStream's Response, then over real HTTP (node:http, and the
// real remix-serve with its compression middleware) to prove nothing buffers the frames.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { type ReadableStream as NodeReadableStream } from "node:stream/web";
import { pathToFileURL } from "node:url";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { eventStream, formatSseFrame, type EventStreamContext, type SendEvent } from "~/infra/sse.server";

const root = process.cwd();
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Reads SSE frames (blank-line separated blocks) from a response body, each with a deadline. */
class FrameReader {
  private buffer = "";
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly decoder = new TextDecoder();
  private pending: Promise<ReadableStreamReadResult<Uint8Array>> | undefined;
  done = false;

  constructor(body: ReadableStream<Uint8Array> | null) {
    if (!body) throw new Error("response has no body");
    this.reader = body.getReader();
  }

  async next(timeoutMs = 2000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const end = this.buffer.indexOf("\n\n");
      if (end >= 0) {
        const frame = this.buffer.slice(0, end);
        this.buffer = this.buffer.slice(end + 2);
        return frame;
      }
      if (this.done) throw new Error(`stream ended; left: ${JSON.stringify(this.buffer)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no frame within ${timeoutMs} ms; buffered: ${JSON.stringify(this.buffer)}`);
      this.pending ??= this.reader.read();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<"timeout">((r) => (timer = setTimeout(() => r("timeout"), left)));
      const result = await Promise.race([this.pending, timeout]);
      clearTimeout(timer);
      if (result === "timeout") continue;
      this.pending = undefined;
      if (result.done) this.done = true;
      else this.buffer += this.decoder.decode(result.value, { stream: true });
    }
  }

  /** Frames until one that is not a comment (heartbeats are skipped). */
  async nextEvent(timeoutMs = 2000): Promise<string> {
    for (;;) {
      const frame = await this.next(timeoutMs);
      if (!frame.startsWith(":")) return frame;
    }
  }

  /** Resolves true when the stream ends within the time. */
  async ended(timeoutMs = 2000): Promise<boolean> {
    try {
      for (;;) await this.next(timeoutMs);
    } catch {
      return this.done;
    }
  }

  cancel(): Promise<void> {
    return this.reader.cancel();
  }
}

interface Harness {
  send: SendEvent;
  context: EventStreamContext;
  cleanup: ReturnType<typeof vi.fn>;
}

function open(init: RequestInit = {}, options?: Parameters<typeof eventStream>[2]) {
  const abort = new AbortController();
  const request = new Request("http://localhost/events", { ...init, signal: abort.signal });
  let harness: Harness | undefined;
  const response = eventStream(
    request,
    (send, context) => {
      const cleanup = vi.fn();
      harness = { send, context, cleanup };
      return cleanup;
    },
    options,
  );
  const reader = new FrameReader(response.body);
  const get = () => {
    if (!harness) throw new Error("setup has not run");
    return harness;
  };
  return { response, reader, abort, get };
}

describe("formatSseFrame", () => {
  it("writes id, event and data lines and ends with a blank line", () => {
    expect(formatSseFrame({ event: "bid", id: "7", data: { amount: 5n, who: "竞买人1" } })).toBe(
      'id: 7\nevent: bid\ndata: {"amount":"5","who":"竞买人1"}\n\n',
    );
  });
  it("splits multi-line string data into several data lines", () => {
    expect(formatSseFrame({ data: "one\ntwo\r\nthree\rfour" })).toBe("data: one\ndata: two\ndata: three\ndata: four\n\n");
    expect(formatSseFrame({ data: "" })).toBe("data: \n\n");
    expect(formatSseFrame({ data: null })).toBe("data: null\n\n");
  });
  it("refuses an id or event name that would break the framing", () => {
    expect(() => formatSseFrame({ id: "1\n2", data: 1 })).toThrow(TypeError);
    expect(() => formatSseFrame({ event: "a\rb", data: 1 })).toThrow(TypeError);
  });
});

describe("eventStream", () => {
  const readers: FrameReader[] = [];
  afterEach(async () => {
    await Promise.all(readers.splice(0).map((r) => r.cancel().catch(() => undefined)));
  });
  const track = <T extends { reader: FrameReader }>(s: T) => (readers.push(s.reader), s);

  it("answers with event-stream headers, a retry hint, then the frames sent", async () => {
    const s = track(open({}, { retryMs: 1500 }));
    expect(s.response.status).toBe(200);
    expect(s.response.headers.get("Content-Type")).toBe("text/event-stream; charset=utf-8");
    expect(s.response.headers.get("Cache-Control")).toBe("no-cache, no-transform");
    expect(s.response.headers.get("Connection")).toBe("keep-alive");
    expect(s.response.headers.get("X-Accel-Buffering")).toBe("no");
    expect(await s.reader.next()).toBe("retry: 1500");

    const { send, context } = s.get();
    expect(context.lastEventId).toBeNull();
    expect(send({ event: "bid", id: "1", data: { amount: 100n } })).toBe(true);
    expect(send({ data: "line 1\nline 2" })).toBe(true);
    expect(await s.reader.next()).toBe('id: 1\nevent: bid\ndata: {"amount":"100"}');
    expect(await s.reader.next()).toBe("data: line 1\ndata: line 2");
  });

  it("sends heartbeat comments at the configured interval", async () => {
    const s = track(open({}, { heartbeatMs: 30 }));
    expect(await s.reader.next()).toMatch(/^retry: /);
    expect(await s.reader.next(500)).toBe(": heartbeat");
    expect(await s.reader.next(500)).toBe(": heartbeat");
    s.get().send({ event: "x", data: 1 });
    expect(await s.reader.nextEvent(500)).toBe("event: x\ndata: 1");
  });

  it("passes Last-Event-ID to setup", async () => {
    const s = track(open({ headers: { "Last-Event-ID": "bid-41" } }));
    await s.reader.next();
    expect(s.get().context.lastEventId).toBe("bid-41");
  });

  it("cleans up once and ends the stream when the request is aborted", async () => {
    const s = track(open({}, { heartbeatMs: 20 }));
    await s.reader.next();
    const { cleanup, send, context } = s.get();
    s.abort.abort();
    expect(cleanup).toHaveBeenCalledTimes(1);
    expect(context.signal.aborted).toBe(true);
    expect(send({ data: "late" })).toBe(false);
    expect(await s.reader.ended()).toBe(true);
    await wait(60); // no heartbeat timer left writing
    expect(cleanup).toHaveBeenCalledTimes(1);
  });

  it("cleans up when the consumer cancels the stream", async () => {
    const s = open({}, { heartbeatMs: 20 });
    await s.reader.next();
    await s.reader.cancel();
    expect(s.get().cleanup).toHaveBeenCalledTimes(1);
    s.abort.abort();
    expect(s.get().cleanup).toHaveBeenCalledTimes(1);
    expect(s.get().send({ data: "late" })).toBe(false);
  });

  it("cleans up and ends the stream when the server closes it", async () => {
    const s = track(open());
    await s.reader.next();
    s.get().send({ event: "closed", data: {} });
    s.get().context.close();
    expect(s.get().cleanup).toHaveBeenCalledTimes(1);
    expect(await s.reader.next()).toBe("event: closed\ndata: {}");
    expect(await s.reader.ended()).toBe(true);
  });

  it("runs the cleanup of an async setup even when the client left before it resolved", async () => {
    const abort = new AbortController();
    const cleanup = vi.fn();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const response = eventStream(new Request("http://localhost/", { signal: abort.signal }), async () => {
      await gate;
      return cleanup;
    });
    const reader = new FrameReader(response.body);
    await reader.next();
    abort.abort();
    expect(cleanup).not.toHaveBeenCalled();
    release();
    await vi.waitFor(() => expect(cleanup).toHaveBeenCalledTimes(1));
  });

  it("does not call setup for a request that is already aborted", async () => {
    const setup = vi.fn();
    const response = eventStream(new Request("http://localhost/", { signal: AbortSignal.abort() }), setup);
    expect(await new FrameReader(response.body).ended()).toBe(true);
    expect(setup).not.toHaveBeenCalled();
  });
});

describe("eventStream over real HTTP (node:http)", () => {
  let server: http.Server;
  let base = "";
  const sends: SendEvent[] = [];
  const cleanups = vi.fn();

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const abort = new AbortController();
      res.on("close", () => abort.abort());
      const request = new Request(`http://localhost${req.url ?? "/"}`, {
        headers: req.headers as Record<string, string>,
        signal: abort.signal,
      });
      const response = eventStream(request, (send, { lastEventId }) => {
        sends.push(send);
        send({ event: "hello", data: { lastEventId } });
        return cleanups;
      });
      res.writeHead(response.status, Object.fromEntries(response.headers));
      const body = Readable.fromWeb(response.body as NodeReadableStream<Uint8Array>);
      body.on("error", () => undefined);
      body.pipe(res);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it("delivers each frame as it is sent, and cleans up when the client goes away", async () => {
    const abort = new AbortController();
    const response = await fetch(`${base}/events`, { headers: { "Last-Event-ID": "9" }, signal: abort.signal });
    const reader = new FrameReader(response.body);
    expect(await reader.next()).toMatch(/^retry: /);
    expect(await reader.next()).toBe('event: hello\ndata: {"lastEventId":"9"}');
    const send = sends.at(-1);
    for (let i = 1; i <= 3; i++) {
      send?.({ id: String(i), event: "bid", data: { i } });
      expect(await reader.next(1000)).toBe(`id: ${i}\nevent: bid\ndata: {"i":${i}}`);
    }
    abort.abort();
    await reader.cancel().catch(() => undefined);
    await vi.waitFor(() => expect(cleanups).toHaveBeenCalledTimes(1), { timeout: 3000 });
  });
});

// The real remix-serve (Express + compression) serving a resource route whose loader returns eventStream.
// The server build is a hand-written module (two resource routes) loaded through tsx so that it can
// import app/infra/sse.server.ts as is.
describe("eventStream under remix-serve", () => {
  let child: ChildProcess | undefined;
  let dir = "";
  let base = "";
  let output = "";

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "npl-sse-"));
    const sseModule = pathToFileURL(path.join(root, "app/infra/sse.server.ts")).href;
    fs.writeFileSync(
      path.join(dir, "build.mjs"),
      `import { eventStream } from ${JSON.stringify(sseModule)};
let active = 0;
let send;
const events = {
  loader: ({ request }) =>
    eventStream(request, (s, { lastEventId }) => {
      active++;
      send = s;
      s({ event: "hello", data: { lastEventId } });
      return () => { active--; send = undefined; };
    }, { heartbeatMs: 60_000 }),
};
const control = {
  loader: ({ request }) => {
    const n = new URL(request.url).searchParams.get("send");
    if (n && send) send({ id: n, event: "bid", data: { n: Number(n), pad: "x".repeat(50) } });
    return new Response(JSON.stringify({ active }), { headers: { "Content-Type": "application/json" } });
  },
};
export const routes = {
  root: { id: "root", path: "", module: {} },
  "routes/events": { id: "routes/events", parentId: "root", path: "events", module: events },
  "routes/control": { id: "routes/control", parentId: "root", path: "control", module: control },
};
const manifestRoute = (id, parentId, p) => ({ id, parentId, path: p, module: "/build/x.js", imports: [], hasAction: false, hasLoader: true, hasClientAction: false, hasClientLoader: false, hasErrorBoundary: false });
export const assets = {
  entry: { module: "/build/entry.js", imports: [] },
  routes: { root: manifestRoute("root", undefined, ""), "routes/events": manifestRoute("routes/events", "root", "events"), "routes/control": manifestRoute("routes/control", "root", "control") },
  version: "test",
  url: "/build/manifest-test.js",
};
export const entry = { module: { default: () => new Response("no documents here", { status: 404 }) } };
export const future = { v3_fetcherPersist: true, v3_relativeSplatPath: true, v3_throwAbortReason: true, v3_singleFetch: true, v3_lazyRouteDiscovery: true };
export const mode = "production";
export const publicPath = "/build/";
export const assetsBuildDirectory = "public/build";
`,
    );
    const port = await new Promise<number>((resolve, reject) => {
      const probe = net.createServer();
      probe.once("error", reject);
      probe.listen(0, "127.0.0.1", () => {
        const { port } = probe.address() as net.AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    base = `http://127.0.0.1:${port}`;
    const tsxLoader = pathToFileURL(path.join(root, "node_modules/tsx/dist/loader.mjs")).href;
    const cli = path.join(root, "node_modules/@remix-run/serve/dist/cli.js");
    child = spawn(process.execPath, ["--import", tsxLoader, cli, path.join(dir, "build.mjs")], {
      cwd: dir,
      env: { ...process.env, NODE_ENV: "production", PORT: String(port), HOST: "127.0.0.1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
    await vi.waitFor(
      async () => {
        if (child?.exitCode !== null) throw new Error(`remix-serve exited: ${output}`);
        expect((await fetch(`${base}/control`)).status).toBe(200);
      },
      { timeout: 20_000, interval: 100 },
    );
  }, 30_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child?.once("exit", r));
      child.kill("SIGKILL");
      await exited;
    }
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const active = async () => ((await (await fetch(`${base}/control`)).json()) as { active: number }).active;

  it("streams frames through compression without buffering, and cleans up on disconnect", async () => {
    const abort = new AbortController();
    const response = await fetch(`${base}/events`, {
      headers: { Accept: "text/event-stream", "Accept-Encoding": "gzip, deflate, br", "Last-Event-ID": "41" },
      signal: abort.signal,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toMatch(/^text\/event-stream/);
    expect(response.headers.get("Content-Encoding")).toBeNull();
    const reader = new FrameReader(response.body);
    expect(await reader.next()).toMatch(/^retry: /);
    expect(await reader.next()).toBe('event: hello\ndata: {"lastEventId":"41"}');
    expect(await active()).toBe(1);

    for (let n = 1; n <= 3; n++) {
      await fetch(`${base}/control?send=${n}`);
      const frame = await reader.next(1000); // each small frame arrives on its own while the stream stays open
      expect(frame).toMatch(new RegExp(`^id: ${n}\\nevent: bid\\ndata: \\{"n":${n},`));
    }

    abort.abort();
    await reader.cancel().catch(() => undefined);
    await vi.waitFor(async () => expect(await active()).toBe(0), { timeout: 5000, interval: 50 });
  });
});
