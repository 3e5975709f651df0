// Live updates (auction high bid, countdown changes…) as publish/subscribe on named channels.
// Two implementations behind one interface, chosen like the job queue (app/infra/queue.server.ts):
// - REDIS_URL set: Redis pub/sub. One publisher and one shared subscriber connection per process;
//   every event goes through Redis, so it reaches the subscribers of every web process, the
//   publisher's own process included, exactly once (nothing is delivered locally on the side).
// - otherwise: in-process (EventEmitter), for the embedded single-process default.
// Both serialize events to JSON (bigints become strings, Dates ISO strings) and deliver them
// asynchronously, in publish order, so listeners see the same thing in both modes.
// Redis pub/sub is fire-and-forget: events published while a process is disconnected are lost to it.
// Clients must treat events as hints and reload state on (re)connect (SSE Last-Event-ID).
import { EventEmitter } from "node:events";
import { Redis } from "ioredis";
import { DEFAULT_PREFIX, redisOptions } from "../../jobs/bullmq";
import { getEnv } from "./env.server";

export interface LiveEvent {
  /** What happened, e.g. "bid.accepted"; becomes the SSE `event:` name. */
  type: string;
  /** JSON-serializable payload (bigints are sent as decimal strings). */
  data: unknown;
  /** Optional id, becomes the SSE `id:` (for Last-Event-ID on reconnect). */
  id?: string;
}

export type LiveEventListener = (event: LiveEvent) => void;

/** Call to stop listening (idempotent). `ready` resolves once events published from now on are received. */
export type Unsubscribe = (() => void) & { readonly ready: Promise<void> };

export interface LiveEventBus {
  /** Sends an event to every subscriber of the channel in every process. Resolves once handed to Redis. */
  publish(channel: string, event: LiveEvent): Promise<void>;
  subscribe(channel: string, listener: LiveEventListener): Unsubscribe;
  /** Drops every subscription and closes connections. The bus is unusable afterwards. */
  close(): Promise<void>;
}

export interface RedisLiveEventsOptions {
  /** Channel prefix (default: QUEUE_PREFIX, else "npl"); channels are `${prefix}:live:${channel}`. Tests use a unique one. */
  prefix?: string;
}

/** JSON with bigints as decimal strings. */
export function serializeLiveEvent(event: LiveEvent): string {
  const out: LiveEvent = { type: event.type, data: event.data ?? null, ...(event.id !== undefined ? { id: event.id } : {}) };
  return JSON.stringify(out, (_key, value: unknown) => (typeof value === "bigint" ? value.toString() : value));
}

export function parseLiveEvent(raw: string): LiveEvent | undefined {
  try {
    const value: unknown = JSON.parse(raw);
    if (typeof value !== "object" || value === null) return undefined;
    const { type, data, id } = value as Record<string, unknown>;
    if (typeof type !== "string") return undefined;
    if (id !== undefined && typeof id !== "string") return undefined;
    return id === undefined ? { type, data } : { type, data, id };
  } catch {
    return undefined;
  }
}

function checkEvent(channel: string, event: LiveEvent): void {
  if (!channel) throw new Error("live events: channel must not be empty");
  if (typeof event.type !== "string" || !event.type) throw new Error("live events: event.type must be a non-empty string");
}

/** Local fan-out by channel: a listener that throws does not stop the others. */
class LocalDispatcher {
  private readonly emitter = new EventEmitter();
  constructor() {
    this.emitter.setMaxListeners(0); // one listener per open SSE connection
  }
  add(channel: string, listener: LiveEventListener): void {
    this.emitter.on(channel, listener);
  }
  remove(channel: string, listener: LiveEventListener): void {
    this.emitter.off(channel, listener);
  }
  count(channel: string): number {
    return this.emitter.listenerCount(channel);
  }
  deliver(channel: string, raw: string): void {
    const listeners = this.emitter.listeners(channel) as LiveEventListener[];
    if (listeners.length === 0) return;
    for (const listener of listeners) {
      // Each listener gets its own parsed copy: one cannot mutate what another sees.
      const event = parseLiveEvent(raw);
      if (!event) {
        console.warn("live events: dropped a malformed message", { channel });
        return;
      }
      try {
        listener(event);
      } catch (error) {
        console.error("live events: listener failed", { channel, error });
      }
    }
  }
  clear(): void {
    this.emitter.removeAllListeners();
  }
}

function makeUnsubscribe(fn: () => void, ready: Promise<void>): Unsubscribe {
  let done = false;
  const unsubscribe = () => {
    if (done) return;
    done = true;
    fn();
  };
  return Object.assign(unsubscribe, { ready });
}

export function createInProcessLiveEvents(): LiveEventBus {
  const local = new LocalDispatcher();
  let closed = false;
  // One FIFO of pending deliveries keeps publish order across channels; delivery is async (never
  // inside the publisher's call stack, e.g. a database transaction), as with Redis.
  const pending: { channel: string; raw: string }[] = [];
  let draining = false;
  const drain = () => {
    draining = false;
    for (let item = pending.shift(); item; item = pending.shift()) local.deliver(item.channel, item.raw);
  };

  return {
    async publish(channel, event) {
      if (closed) throw new Error("live events bus is closed");
      checkEvent(channel, event);
      pending.push({ channel, raw: serializeLiveEvent(event) });
      if (!draining) {
        draining = true;
        setImmediate(drain);
      }
    },
    subscribe(channel, listener) {
      if (closed) throw new Error("live events bus is closed");
      local.add(channel, listener);
      return makeUnsubscribe(() => local.remove(channel, listener), Promise.resolve());
    },
    async close() {
      closed = true;
      pending.length = 0;
      local.clear();
    },
  };
}

export function createRedisLiveEvents(redisUrl: string, options: RedisLiveEventsOptions = {}): LiveEventBus {
  const prefix = options.prefix ?? (process.env.QUEUE_PREFIX || DEFAULT_PREFIX);
  const channelKey = (channel: string) => `${prefix}:live:${channel}`;
  const local = new LocalDispatcher();
  // Channels this process is subscribed to in Redis, with the SUBSCRIBE reply (shared by all local listeners).
  const subscribed = new Map<string, Promise<void>>();
  let publisher: Redis | undefined;
  let subscriber: Redis | undefined;
  let closed = false;

  const onError = (role: string) => {
    let last = "";
    return (error: Error) => {
      // ioredis reconnects by itself; log each distinct error once rather than every retry.
      if (error.message === last) return;
      last = error.message;
      console.error(`live events: Redis ${role} connection error`, error.message);
    };
  };

  function getPublisher(): Redis {
    if (!publisher) {
      // A publish waiting on a lost connection fails after a few retries instead of hanging the request.
      publisher = new Redis({ ...redisOptions(redisUrl), maxRetriesPerRequest: 3, connectionName: `${prefix}:live:pub` });
      publisher.on("error", onError("publisher"));
    }
    return publisher;
  }

  function getSubscriber(): Redis {
    if (!subscriber) {
      // autoResubscribe (ioredis default) restores the subscriptions after a reconnect.
      subscriber = new Redis({ ...redisOptions(redisUrl), connectionName: `${prefix}:live:sub` });
      subscriber.on("error", onError("subscriber"));
      subscriber.on("message", (key: string, raw: string) => {
        if (!key.startsWith(`${prefix}:live:`)) return;
        local.deliver(key, raw);
      });
    }
    return subscriber;
  }

  return {
    async publish(channel, event) {
      if (closed) throw new Error("live events bus is closed");
      checkEvent(channel, event);
      await getPublisher().publish(channelKey(channel), serializeLiveEvent(event));
    },

    subscribe(channel, listener) {
      if (closed) throw new Error("live events bus is closed");
      if (!channel) throw new Error("live events: channel must not be empty");
      const key = channelKey(channel);
      local.add(key, listener);
      let ready = subscribed.get(key);
      if (!ready) {
        // Commands on one connection run in order, so SUBSCRIBE/UNSUBSCRIBE/SUBSCRIBE races settle right.
        ready = getSubscriber()
          .subscribe(key)
          .then(() => undefined);
        ready.catch((error: unknown) => console.error("live events: SUBSCRIBE failed", { channel: key, error }));
        subscribed.set(key, ready);
      }
      return makeUnsubscribe(() => {
        local.remove(key, listener);
        if (local.count(key) === 0 && subscribed.has(key) && !closed) {
          subscribed.delete(key);
          getSubscriber()
            .unsubscribe(key)
            .catch((error: unknown) => console.error("live events: UNSUBSCRIBE failed", { channel: key, error }));
        }
      }, ready);
    },

    async close() {
      if (closed) return;
      closed = true;
      local.clear();
      subscribed.clear();
      const connections = [publisher, subscriber].filter((c): c is Redis => c !== undefined);
      await Promise.all(connections.map((c) => c.quit().then(() => undefined, () => c.disconnect())));
    },
  };
}

declare global {
  // One bus per process, kept across module reloads in development.
  var __liveEvents: LiveEventBus | undefined;
}

/** The process's bus: Redis when REDIS_URL is set, else in-process. */
export function getLiveEvents(): LiveEventBus {
  if (!globalThis.__liveEvents) {
    const { redisUrl } = getEnv();
    globalThis.__liveEvents = redisUrl ? createRedisLiveEvents(redisUrl) : createInProcessLiveEvents();
  }
  return globalThis.__liveEvents;
}

/** Publishes on the process's bus (see LiveEventBus.publish). */
export function publish(channel: string, event: LiveEvent): Promise<void> {
  return getLiveEvents().publish(channel, event);
}

/** Subscribes on the process's bus; the returned function unsubscribes (and can be an SSE cleanup). */
export function subscribe(channel: string, listener: LiveEventListener): Unsubscribe {
  return getLiveEvents().subscribe(channel, listener);
}

/** Closes the process's bus (Redis connections included); the next use creates a fresh one. */
export async function closeLiveEvents(): Promise<void> {
  const bus = globalThis.__liveEvents;
  globalThis.__liveEvents = undefined;
  await bus?.close();
}
