// A local HTTP server on loopback that speaks the Stripe endpoints the payments adapter uses, so tests
// run the real `stripe` SDK against it (STRIPE_API_BASE = fake.url). It also builds and signs the
// webhook events Stripe would send, with the real scheme computed here (node:crypto, not the SDK):
//   Stripe-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>
//
// Endpoints (form-encoded bodies as the SDK sends them, Stripe-shaped JSON and errors):
//   POST /v1/payment_intents               create (Idempotency-Key honoured); methods come as
//                                          allowed_payment_method_types, as in the API version the SDK
//                                          pins (2026-09-30.endive on); payment_method_types is refused
//   GET  /v1/payment_intents/:id           retrieve
//   POST /v1/payment_intents/:id/confirm   confirm with payment_method (pm_card_visa succeeds,
//                                          anything containing "Declined" fails)
//   POST /v1/refunds                       create (Idempotency-Key honoured)
//   POST /v1/transfers                     create a transfer to a connected account (acct_…; currency
//                                          cny; Idempotency-Key honoured); the destination
//                                          acct_insufficient answers balance_insufficient, an
//                                          unknown-looking one (not acct_ + letters/digits) no such destination
// Authentication: `Authorization: Bearer <apiKey>`, else 401. Idempotency follows Stripe: a key seen
// before with the same method, path and body replays the first response (header Idempotent-Replayed:
// true); with different ones it is a 400 idempotency_error; only successful responses are kept.
import crypto from "node:crypto";
import http from "node:http";
import { afterAll, beforeAll } from "vitest";

export const FAKE_API_VERSION = "2026-10-28.endive";
/** Stripe's eight-digit limit on `amount` (minor units). */
const MAX_AMOUNT = 99_999_999;
const PAYMENT_METHOD_TYPES = new Set(["card", "alipay", "wechat_pay"]);
const CURRENCIES = new Set(["cny", "hkd", "usd", "eur", "gbp", "sgd", "jpy"]);

export interface FakePaymentIntent {
  id: string;
  object: "payment_intent";
  amount: number;
  amount_capturable: number;
  amount_received: number;
  capture_method: "automatic";
  client_secret: string;
  confirmation_method: "automatic";
  created: number;
  currency: string;
  description: string | null;
  last_payment_error: { type: string; code: string; decline_code?: string; message: string } | null;
  latest_charge: string | null;
  livemode: false;
  metadata: Record<string, string>;
  allowed_payment_method_types: string[] | null;
  excluded_payment_method_types: string[] | null;
  payment_method: string | null;
  /** The allowed types compatible with amount and currency (here: all of them). */
  payment_method_types: string[];
  status: "requires_payment_method" | "requires_confirmation" | "processing" | "succeeded" | "canceled";
}

export interface FakeRefund {
  id: string;
  object: "refund";
  amount: number;
  charge: string | null;
  created: number;
  currency: string;
  failure_reason?: string;
  metadata: Record<string, string>;
  payment_intent: string;
  reason: string | null;
  status: "pending" | "succeeded" | "failed" | "canceled";
}

export interface FakeTransfer {
  id: string;
  object: "transfer";
  amount: number;
  amount_reversed: number;
  created: number;
  currency: string;
  description: string | null;
  destination: string;
  livemode: false;
  metadata: Record<string, string>;
  reversed: boolean;
  transfer_group: string | null;
}

export interface FakeEvent {
  id: string;
  object: "event";
  api_version: string;
  created: number;
  data: { object: FakePaymentIntent | FakeRefund; previous_attributes?: Record<string, unknown> };
  livemode: false;
  pending_webhooks: number;
  request: { id: string | null; idempotency_key: string | null };
  type: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  authorization?: string;
  idempotencyKey?: string;
  stripeVersion?: string;
  contentType?: string;
  rawBody: string;
  body: Record<string, unknown>;
  status: number;
  replayed: boolean;
}

export interface DeliverOptions {
  /** Default: the fake's webhookSecret. */
  secret?: string;
  /** Unix seconds to sign with. Default: now. */
  timestamp?: number;
  /** Send this body instead of the signed one (to test tampering). */
  body?: string;
  /** Send this Stripe-Signature header instead of the computed one (null: none). */
  signature?: string | null;
}

export interface StripeFake {
  /** API origin for STRIPE_API_BASE, e.g. http://127.0.0.1:54321. */
  url: string;
  apiKey: string;
  webhookSecret: string;
  requests: RecordedRequest[];
  paymentIntents: Map<string, FakePaymentIntent>;
  refunds: Map<string, FakeRefund>;
  /** Transfers to connected accounts (POST /v1/transfers), by id. */
  transfers: Map<string, FakeTransfer>;
  /** Every event the fake produced (confirm, refunds, succeed/fail helpers), oldest first. */
  events: FakeEvent[];
  /** Status new refunds get: "succeeded" (cards, usually) or "pending" (settled later by refundSucceeded/refundFailed). */
  refundStatus: "succeeded" | "pending";
  /** The customer paid: the PaymentIntent succeeds; returns the payment_intent.succeeded event. */
  succeed(paymentIntentId: string): FakeEvent;
  /** The payment failed (declined): returns the payment_intent.payment_failed event. */
  fail(paymentIntentId: string, message?: string): FakeEvent;
  /** A pending refund settles: returns refund.updated. */
  refundSucceeded(refundId: string): FakeEvent;
  /** A refund fails: returns refund.failed. */
  refundFailed(refundId: string, reason?: string): FakeEvent;
  /** Builds an event of any type around an object (e.g. one the adapter should ignore). */
  event(type: string, object: FakePaymentIntent | FakeRefund): FakeEvent;
  /** Serializes and signs an event like Stripe, POSTs it to `url`; returns the receiver's answer. */
  deliver(url: string, event: FakeEvent | string, options?: DeliverOptions): Promise<{ status: number; body: string }>;
  /**
   * Like a webhook endpoint configured in Stripe's dashboard: when set, every event the fake produces
   * is signed and POSTed there (in order, retried a few times on failure), as Stripe would. Unset
   * (the default), events are only recorded and tests deliver them by hand.
   */
  webhookUrl: string | null;
  /** Resolves when every event produced so far has been delivered to webhookUrl (or given up). */
  delivered(): Promise<void>;
  /** Forgets all objects, events, requests and idempotency keys. */
  reset(): void;
  close(): Promise<void>;
}

/** The Stripe-Signature header value for `payload` (the exact raw body) with the real v1 scheme. */
export function signWebhook(payload: string, secret: string, timestamp: number = Math.floor(Date.now() / 1000)): string {
  const signature = crypto.createHmac("sha256", secret).update(`${timestamp}.${payload}`, "utf8").digest("hex");
  return `t=${timestamp},v1=${signature}`;
}

/** Serializes an event as Stripe does (pretty-printed JSON). */
export function eventPayload(event: FakeEvent): string {
  return JSON.stringify(event, null, 2);
}

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: { type: string; message: string; code?: string; param?: string; decline_code?: string },
    readonly headers: Record<string, string> = {},
  ) {
    super(body.message);
  }
}

function randomId(prefix: string): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  const bytes = crypto.randomBytes(24);
  let out = "";
  for (const b of bytes) out += alphabet[b % alphabet.length];
  return `${prefix}_${out}`;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** Parses a form body with Stripe/qs brackets: a=1&b[c]=2&d[0]=x → { a: "1", b: { c: "2" }, d: ["x"] }. */
export function parseStripeForm(raw: string): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  if (!raw) return root;
  for (const pair of raw.split("&")) {
    if (!pair) continue;
    const eq = pair.indexOf("=");
    const decode = (s: string) => decodeURIComponent(s.replace(/\+/g, " "));
    const key = decode(eq === -1 ? pair : pair.slice(0, eq));
    const value = eq === -1 ? "" : decode(pair.slice(eq + 1));
    const match = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(key);
    if (!match) throw new ApiError(400, { type: "invalid_request_error", message: `Invalid parameter name: ${key}` });
    const path = [match[1]!, ...[...match[2]!.matchAll(/\[([^[\]]*)\]/g)].map((m) => m[1]!)];
    let node: Record<string, unknown> = root;
    for (let i = 0; i < path.length - 1; i++) {
      const part = path[i]!;
      const next = node[part];
      if (typeof next === "object" && next !== null) node = next as Record<string, unknown>;
      else {
        const created: Record<string, unknown> = {};
        node[part] = created;
        node = created;
      }
    }
    node[path[path.length - 1]!] = value;
  }
  return arraysFromIndexedObjects(root) as Record<string, unknown>;
}

function arraysFromIndexedObjects(value: unknown): unknown {
  if (typeof value !== "object" || value === null) return value;
  const entries = Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, arraysFromIndexedObjects(v)] as const);
  if (entries.length > 0 && entries.every(([k]) => /^\d+$/.test(k))) {
    return entries.sort(([a], [b]) => Number(a) - Number(b)).map(([, v]) => v);
  }
  return Object.fromEntries(entries);
}

function invalid(message: string, param?: string, code?: string): ApiError {
  return new ApiError(400, { type: "invalid_request_error", message, ...(param ? { param } : {}), ...(code ? { code } : {}) });
}

function missing(resource: string, id: string, param: string): ApiError {
  return new ApiError(404, { type: "invalid_request_error", code: "resource_missing", param, message: `No such ${resource}: '${id}'` });
}

function onlyParams(body: Record<string, unknown>, allowed: string[]): void {
  for (const key of Object.keys(body)) {
    if (!allowed.includes(key)) throw invalid(`Received unknown parameter: ${key}`, key, "parameter_unknown");
  }
}

function amountParam(body: Record<string, unknown>, required: boolean): number | undefined {
  const raw = body.amount;
  if (raw === undefined) {
    if (required) throw invalid("Missing required param: amount.", "amount", "parameter_missing");
    return undefined;
  }
  if (typeof raw !== "string" || !/^\d+$/.test(raw)) throw invalid("Invalid integer: " + String(raw), "amount", "parameter_invalid_integer");
  const amount = Number(raw);
  if (amount < 1) throw invalid("This value must be greater than or equal to 1.", "amount", "parameter_invalid_integer");
  if (amount > MAX_AMOUNT) throw invalid("Amount must be no more than 99999999 (eight digits).", "amount", "amount_too_large");
  return amount;
}

function metadataParam(body: Record<string, unknown>): Record<string, string> {
  const raw = body.metadata;
  if (raw === undefined || raw === "") return {};
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw invalid("Invalid hash", "metadata", "parameter_invalid_string");
  const entries = Object.entries(raw as Record<string, unknown>);
  if (entries.length > 50) throw invalid("You can specify up to 50 keys in metadata.", "metadata");
  for (const [key, value] of entries) {
    if (typeof value !== "string") throw invalid(`Invalid value for metadata[${key}]`, `metadata[${key}]`);
    if (key.length > 40) throw invalid(`Metadata keys can have up to 40 characters: ${key}`, `metadata[${key}]`);
    if (value.length > 500) throw invalid(`Metadata values can have up to 500 characters.`, `metadata[${key}]`);
  }
  return Object.fromEntries(entries) as Record<string, string>;
}

export async function startStripeFake(options: { apiKey?: string; webhookSecret?: string; webhookUrl?: string } = {}): Promise<StripeFake> {
  const apiKey = options.apiKey ?? `sk_test_fake_${crypto.randomBytes(8).toString("hex")}`;
  const webhookSecret = options.webhookSecret ?? `whsec_${crypto.randomBytes(24).toString("base64url")}`;
  const requests: RecordedRequest[] = [];
  const paymentIntents = new Map<string, FakePaymentIntent>();
  const refunds = new Map<string, FakeRefund>();
  const transfers = new Map<string, FakeTransfer>();
  const events: FakeEvent[] = [];
  const idempotent = new Map<string, { method: string; path: string; rawBody: string; status: number; json: string }>();

  function buildEvent(type: string, object: FakePaymentIntent | FakeRefund, previous?: Record<string, unknown>, request?: { id: string; key?: string }): FakeEvent {
    const event: FakeEvent = {
      id: randomId("evt"),
      object: "event",
      api_version: FAKE_API_VERSION,
      created: nowSeconds(),
      data: { object: structuredClone(object), ...(previous ? { previous_attributes: previous } : {}) },
      livemode: false,
      pending_webhooks: 1,
      request: { id: request?.id ?? null, idempotency_key: request?.key ?? null },
      type,
    };
    events.push(event);
    if (fake.webhookUrl) autoDeliver(fake.webhookUrl, event);
    return event;
  }

  // Stripe delivers each event to the endpoint and retries while it does not answer 2xx; in order here.
  let deliveries: Promise<void> = Promise.resolve();
  function autoDeliver(target: string, event: FakeEvent): void {
    deliveries = deliveries.then(async () => {
      for (let attempt = 0; attempt < 5; attempt += 1) {
        try {
          const answer = await fake.deliver(target, event);
          if (answer.status >= 200 && answer.status < 300) return;
        } catch {
          // the receiver is down: try again
        }
        await new Promise((r) => setTimeout(r, 200 * (attempt + 1)));
      }
    });
  }

  /**
   * The customer's side, which Stripe.js and the payment pages are in reality: POST
   * /__customer/payment_intents/{id}/pay (or /decline) — the customer paid (or the card was declined).
   * Not part of Stripe's API; no API key (only tests on loopback reach the fake).
   */
  function customerAction(method: string, path: string): { status: number; json: unknown } | null {
    const match = /^\/__customer\/payment_intents\/([^/]+)\/(pay|decline)$/.exec(path);
    if (method !== "POST" || !match) return null;
    const intent = paymentIntents.get(decodeURIComponent(match[1]!));
    if (!intent) return { status: 404, json: { error: { type: "invalid_request_error", message: "No such payment_intent" } } };
    const event = match[2] === "pay" ? markSucceeded(intent) : markFailed(intent);
    return { status: 200, json: { event: event.id, status: intent.status } };
  }

  function intentOrThrow(id: string, param = "intent"): FakePaymentIntent {
    const intent = paymentIntents.get(id);
    if (!intent) throw missing("payment_intent", id, param);
    return intent;
  }

  function markSucceeded(intent: FakePaymentIntent): FakeEvent {
    const previous = { status: intent.status, amount_received: intent.amount_received };
    intent.status = "succeeded";
    intent.amount_received = intent.amount;
    intent.latest_charge = intent.latest_charge ?? randomId(intent.payment_method_types.includes("card") ? "ch" : "py");
    intent.last_payment_error = null;
    return buildEvent("payment_intent.succeeded", intent, previous);
  }

  function markFailed(intent: FakePaymentIntent, message = "Your card was declined."): FakeEvent {
    const previous = { status: intent.status, last_payment_error: intent.last_payment_error };
    intent.status = "requires_payment_method";
    intent.last_payment_error = { type: "card_error", code: "card_declined", decline_code: "generic_decline", message };
    return buildEvent("payment_intent.payment_failed", intent, previous);
  }

  function refundedSoFar(paymentIntentId: string): number {
    let total = 0;
    for (const r of refunds.values()) if (r.payment_intent === paymentIntentId && r.status !== "failed" && r.status !== "canceled") total += r.amount;
    return total;
  }

  function route(method: string, path: string, body: Record<string, unknown>, requestId: string, idempotencyKey?: string): { status: number; json: unknown } {
    if (method === "POST" && path === "/v1/payment_intents") {
      onlyParams(body, ["amount", "currency", "allowed_payment_method_types", "metadata", "description", "receipt_email", "payment_method", "confirm", "expand"]);
      const amount = amountParam(body, true)!;
      const currency = body.currency;
      if (currency === undefined) throw invalid("Missing required param: currency.", "currency", "parameter_missing");
      if (typeof currency !== "string" || !CURRENCIES.has(currency)) throw invalid(`Invalid currency: ${String(currency)}.`, "currency", "parameter_invalid_string");
      const allowed = body.allowed_payment_method_types;
      const types = allowed ?? ["card"];
      if (!Array.isArray(types) || types.length === 0) throw invalid("Invalid array", "allowed_payment_method_types", "parameter_invalid_empty");
      for (const t of types) {
        if (typeof t !== "string" || !PAYMENT_METHOD_TYPES.has(t)) {
          throw invalid(`The payment method type "${String(t)}" is invalid. Please ensure the provided type is activated in your dashboard.`, "allowed_payment_method_types", "payment_method_invalid_parameter");
        }
      }
      const id = randomId("pi");
      const intent: FakePaymentIntent = {
        id,
        object: "payment_intent",
        amount,
        amount_capturable: 0,
        amount_received: 0,
        capture_method: "automatic",
        client_secret: `${id}_secret_${crypto.randomBytes(12).toString("hex")}`,
        confirmation_method: "automatic",
        created: nowSeconds(),
        currency,
        description: typeof body.description === "string" ? body.description : null,
        last_payment_error: null,
        latest_charge: null,
        livemode: false,
        metadata: metadataParam(body),
        allowed_payment_method_types: allowed ? (types as string[]) : null,
        excluded_payment_method_types: null,
        payment_method: null,
        payment_method_types: types as string[],
        status: "requires_payment_method",
      };
      paymentIntents.set(id, intent);
      buildEvent("payment_intent.created", intent, undefined, { id: requestId, key: idempotencyKey });
      return { status: 200, json: intent };
    }
    const confirm = /^\/v1\/payment_intents\/([^/]+)\/confirm$/.exec(path);
    if (method === "POST" && confirm) {
      onlyParams(body, ["payment_method", "return_url", "expand"]);
      const intent = intentOrThrow(decodeURIComponent(confirm[1]!));
      if (intent.status === "succeeded" || intent.status === "canceled") {
        throw invalid(`This PaymentIntent's status is ${intent.status}, which does not allow confirmation.`, undefined, "payment_intent_unexpected_state");
      }
      const paymentMethod = typeof body.payment_method === "string" ? body.payment_method : intent.payment_method;
      if (!paymentMethod) throw invalid("You cannot confirm this PaymentIntent because it's missing a payment method.", "payment_method", "payment_intent_unexpected_state");
      intent.payment_method = paymentMethod;
      if (/declined/i.test(paymentMethod)) {
        markFailed(intent);
        throw new ApiError(402, { type: "card_error", code: "card_declined", decline_code: "generic_decline", message: "Your card was declined." });
      }
      markSucceeded(intent);
      return { status: 200, json: intent };
    }
    const retrieve = /^\/v1\/payment_intents\/([^/]+)$/.exec(path);
    if (method === "GET" && retrieve) {
      return { status: 200, json: intentOrThrow(decodeURIComponent(retrieve[1]!)) };
    }
    if (method === "POST" && path === "/v1/refunds") {
      onlyParams(body, ["payment_intent", "amount", "metadata", "reason", "expand"]);
      if (typeof body.payment_intent !== "string" || !body.payment_intent) {
        throw invalid("One of the following params should be provided for this request: payment_intent or charge.", "payment_intent", "parameter_missing");
      }
      const intent = intentOrThrow(body.payment_intent, "payment_intent");
      if (intent.status !== "succeeded") {
        throw invalid(`This PaymentIntent (${intent.id}) does not have a successful charge to refund.`, "payment_intent", "charge_not_refundable");
      }
      const remaining = intent.amount_received - refundedSoFar(intent.id);
      const amount = amountParam(body, false) ?? remaining;
      if (amount > remaining) {
        throw invalid(`Refund amount (${amount}) is greater than unrefunded amount on charge (${remaining})`, "amount", "amount_too_large");
      }
      if (amount <= 0) throw invalid(`Charge ${intent.latest_charge} has already been refunded.`, undefined, "charge_already_refunded");
      const reason = body.reason;
      if (reason !== undefined && !["duplicate", "fraudulent", "requested_by_customer"].includes(String(reason))) {
        throw invalid(`Invalid reason: must be one of duplicate, fraudulent, or requested_by_customer`, "reason");
      }
      const refund: FakeRefund = {
        id: randomId("re"),
        object: "refund",
        amount,
        charge: intent.latest_charge,
        created: nowSeconds(),
        currency: intent.currency,
        metadata: metadataParam(body),
        payment_intent: intent.id,
        reason: typeof reason === "string" ? reason : null,
        status: fake.refundStatus,
      };
      refunds.set(refund.id, refund);
      buildEvent("refund.created", refund, undefined, { id: requestId, key: idempotencyKey });
      return { status: 200, json: refund };
    }
    if (method === "POST" && path === "/v1/transfers") {
      onlyParams(body, ["amount", "currency", "destination", "metadata", "description", "transfer_group", "expand"]);
      const amount = amountParam(body, true)!;
      if (body.currency === undefined) throw invalid("Missing required param: currency.", "currency", "parameter_missing");
      if (typeof body.currency !== "string" || !CURRENCIES.has(body.currency)) throw invalid(`Invalid currency: ${String(body.currency)}.`, "currency", "parameter_invalid_string");
      const destination = body.destination;
      if (typeof destination !== "string" || !destination) throw invalid("Missing required param: destination.", "destination", "parameter_missing");
      if (!/^acct_[A-Za-z0-9]+$/.test(destination)) throw invalid(`No such destination: '${destination}'`, "destination", "resource_missing");
      if (destination === "acct_insufficient") {
        throw invalid("You have insufficient available funds in your Stripe account.", undefined, "balance_insufficient");
      }
      const transfer: FakeTransfer = {
        id: randomId("tr"),
        object: "transfer",
        amount,
        amount_reversed: 0,
        created: nowSeconds(),
        currency: body.currency,
        description: typeof body.description === "string" ? body.description : null,
        destination,
        livemode: false,
        metadata: metadataParam(body),
        reversed: false,
        transfer_group: typeof body.transfer_group === "string" ? body.transfer_group : null,
      };
      transfers.set(transfer.id, transfer);
      return { status: 200, json: transfer };
    }
    throw new ApiError(404, { type: "invalid_request_error", message: `Unrecognized request URL (${method}: ${path}).` });
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const rawBody = Buffer.concat(chunks).toString("utf8");
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const method = req.method ?? "GET";
      const header = (name: string) => {
        const v = req.headers[name];
        return Array.isArray(v) ? v[0] : v;
      };
      const requestId = randomId("req");
      const idempotencyKey = header("idempotency-key");
      const record: RecordedRequest = {
        method,
        path: url.pathname,
        authorization: header("authorization"),
        idempotencyKey,
        stripeVersion: header("stripe-version"),
        contentType: header("content-type"),
        rawBody,
        body: {},
        status: 0,
        replayed: false,
      };
      requests.push(record);
      const send = (status: number, json: string, extra: Record<string, string> = {}) => {
        record.status = status;
        res.writeHead(status, {
          "content-type": "application/json",
          "request-id": requestId,
          "stripe-version": record.stripeVersion ?? FAKE_API_VERSION,
          ...extra,
        });
        res.end(json);
      };
      try {
        const customer = customerAction(method, url.pathname);
        if (customer) {
          send(customer.status, JSON.stringify(customer.json));
          return;
        }
        const auth = record.authorization;
        if (!auth || !auth.startsWith("Bearer ")) {
          throw new ApiError(401, {
            type: "invalid_request_error",
            message: "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth.",
          });
        }
        if (auth.slice("Bearer ".length) !== apiKey) {
          const given = auth.slice("Bearer ".length);
          throw new ApiError(401, { type: "invalid_request_error", message: `Invalid API Key provided: ${given.slice(0, 8)}****${given.slice(-4)}` });
        }
        const query = url.search.length > 1 ? url.search.slice(1) : "";
        record.body = parseStripeForm(method === "GET" ? query : rawBody);
        const cacheKey = idempotencyKey && method === "POST" ? `${apiKey}\u0000${idempotencyKey}` : undefined;
        const cached = cacheKey ? idempotent.get(cacheKey) : undefined;
        if (cached) {
          if (cached.method !== method || cached.path !== url.pathname || cached.rawBody !== rawBody) {
            throw new ApiError(400, {
              type: "idempotency_error",
              message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idempotencyKey}' if you meant to execute a different request.`,
            });
          }
          record.replayed = true;
          send(cached.status, cached.json, { "idempotent-replayed": "true", "original-request": requestId });
          return;
        }
        const result = route(method, url.pathname, record.body, requestId, idempotencyKey);
        const json = JSON.stringify(result.json, null, 2);
        if (cacheKey) idempotent.set(cacheKey, { method, path: url.pathname, rawBody, status: result.status, json });
        send(result.status, json, cacheKey ? { "idempotency-key": idempotencyKey! } : {});
      } catch (error) {
        if (error instanceof ApiError) {
          send(error.status, JSON.stringify({ error: { ...error.body, request_log_url: `https://dashboard.stripe.com/test/logs/${requestId}` } }), error.headers);
        } else {
          send(500, JSON.stringify({ error: { type: "api_error", message: String(error) } }), { "stripe-should-retry": "false" });
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;

  const fake: StripeFake = {
    url: `http://127.0.0.1:${port}`,
    apiKey,
    webhookSecret,
    requests,
    paymentIntents,
    refunds,
    transfers,
    events,
    refundStatus: "succeeded",
    webhookUrl: options.webhookUrl ?? null,
    delivered: () => deliveries,
    succeed: (id) => markSucceeded(intentOrThrow(id)),
    fail: (id, message) => markFailed(intentOrThrow(id), message),
    refundSucceeded(id) {
      const refund = refunds.get(id);
      if (!refund) throw new Error(`no refund ${id}`);
      const previous = { status: refund.status };
      refund.status = "succeeded";
      return buildEvent("refund.updated", refund, previous);
    },
    refundFailed(id, reason = "declined") {
      const refund = refunds.get(id);
      if (!refund) throw new Error(`no refund ${id}`);
      const previous = { status: refund.status };
      refund.status = "failed";
      refund.failure_reason = reason;
      return buildEvent("refund.failed", refund, previous);
    },
    event: (type, object) => buildEvent(type, object),
    async deliver(target, event, deliverOptions = {}) {
      const signed = typeof event === "string" ? event : eventPayload(event);
      const signature =
        deliverOptions.signature === undefined
          ? signWebhook(signed, deliverOptions.secret ?? webhookSecret, deliverOptions.timestamp)
          : deliverOptions.signature;
      const response = await fetch(target, {
        method: "POST",
        headers: {
          "content-type": "application/json; charset=utf-8",
          "user-agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
          ...(signature === null ? {} : { "stripe-signature": signature }),
        },
        body: deliverOptions.body ?? signed,
      });
      return { status: response.status, body: await response.text() };
    },
    reset() {
      requests.length = 0;
      events.length = 0;
      paymentIntents.clear();
      refunds.clear();
      transfers.clear();
      idempotent.clear();
      fake.refundStatus = "succeeded";
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return fake;
}

const stripeEnvNames = ["STRIPE_API_BASE", "STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET"] as const;

/**
 * For one test file: starts the fake before its tests and points the Stripe settings (env) at it,
 * then stops it and restores the settings. `stripe.fake` is the running fake.
 */
export function installStripeFake(): { readonly fake: StripeFake } {
  let running: StripeFake | undefined;
  const saved = Object.fromEntries(stripeEnvNames.map((name) => [name, process.env[name]]));
  beforeAll(async () => {
    running = await startStripeFake();
    process.env.STRIPE_API_BASE = running.url;
    process.env.STRIPE_SECRET_KEY = running.apiKey;
    process.env.STRIPE_WEBHOOK_SECRET = running.webhookSecret;
  });
  afterAll(async () => {
    await running?.close();
    for (const name of stripeEnvNames) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });
  return {
    get fake() {
      if (!running) throw new Error("the Stripe fake runs only inside the file's tests");
      return running;
    },
  };
}
