// Bid deposits through Stripe: a PaymentIntent in CNY (card, Alipay, WeChat Pay), refunds, and
// webhook verification. The API version is the one the SDK pins (stripe@23: 2026-10-28.endive); the
// webhook endpoint in the Stripe dashboard should use the same version, so event objects match. Money is confirmed only by a verified webhook (verifyStripeWebhook), never by
// what a create call or the browser reports.
//
// Settings (read when a provider is made, so tests can set them first):
//   STRIPE_SECRET_KEY      secret API key (sk_live_… / sk_test_…); required to create or refund.
//   STRIPE_WEBHOOK_SECRET  signing secret of the webhook endpoint (whsec_…); required to verify.
//   STRIPE_API_BASE        optional API origin, e.g. http://127.0.0.1:12111 for a local fake;
//                          default https://api.stripe.com.
import Stripe from "stripe";
import { stripeEnv } from "~/infra/env.server";
import {
  PaymentConfigError,
  PaymentProviderError,
  WebhookVerificationError,
  type CreateDepositPaymentInput,
  type DepositPayment,
  type DepositPaymentStatus,
  type PaymentEvent,
  type PaymentProvider,
  type RefundInput,
  type RefundResult,
  type RefundStatus,
} from "./types";

/**
 * Stripe accepts at most eight digits in `amount` (99,999,999 minor units: ¥999,999.99 in CNY),
 * unless the operator's account has a higher limit. A larger deposit needs an offline method.
 */
export const STRIPE_MAX_AMOUNT_FEN = 99_999_999n;

export interface StripeProviderOptions {
  /** Default: STRIPE_SECRET_KEY. */
  secretKey?: string;
  /** Default: STRIPE_API_BASE, else https://api.stripe.com. */
  apiBase?: string;
  /** Retries on network errors, 409 and 5xx (safe: every POST carries an idempotency key). Default 2. */
  maxNetworkRetries?: number;
  /** Per-request timeout in milliseconds. Default 20 s. */
  timeoutMs?: number;
}

const clients = new Map<string, Stripe>();

function stripeClient(options: StripeProviderOptions): Stripe {
  const secretKey = options.secretKey ?? stripeEnv().secretKey;
  if (!secretKey) throw new PaymentConfigError("STRIPE_SECRET_KEY");
  const apiBase = options.apiBase ?? stripeEnv().apiBase;
  const maxNetworkRetries = options.maxNetworkRetries ?? 2;
  const timeout = options.timeoutMs ?? 20_000;
  const cacheKey = JSON.stringify([secretKey, apiBase ?? "", maxNetworkRetries, timeout]);
  const cached = clients.get(cacheKey);
  if (cached) return cached;
  const client = new Stripe(secretKey, {
    ...(apiBase ? apiAddress(apiBase) : {}),
    maxNetworkRetries,
    timeout,
    telemetry: false,
    appInfo: { name: "npl-marketplace" },
  });
  clients.set(cacheKey, client);
  return client;
}

/** STRIPE_API_BASE → the SDK's host / port / protocol (the SDK always adds the /v1/ path itself). */
function apiAddress(apiBase: string): { host: string; port: string; protocol: "http" | "https" } {
  let url: URL;
  try {
    url = new URL(apiBase);
  } catch {
    throw new Error(`STRIPE_API_BASE is not a URL: ${apiBase}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error(`STRIPE_API_BASE must be http(s): ${apiBase}`);
  if (url.pathname !== "/" || url.search) throw new Error(`STRIPE_API_BASE must be an origin without a path: ${apiBase}`);
  const protocol = url.protocol === "http:" ? "http" : "https";
  return { host: url.hostname, port: url.port || (protocol === "http" ? "80" : "443"), protocol };
}

function toStripeAmount(amount: bigint): number {
  if (amount <= 0n) throw new RangeError(`payment amount must be positive, got ${amount} fen`);
  if (amount > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError(`payment amount too large: ${amount} fen`);
  return Number(amount);
}

function providerError(error: unknown): unknown {
  if (error instanceof Stripe.errors.StripeError) {
    return new PaymentProviderError(error.message, {
      provider: "stripe",
      type: error.rawType ?? error.type,
      code: error.code,
      statusCode: error.statusCode,
      requestId: error.requestId,
    });
  }
  return error;
}

function depositStatus(status: Stripe.PaymentIntent.Status): DepositPaymentStatus {
  switch (status) {
    case "succeeded":
      return "succeeded";
    case "canceled":
      return "canceled";
    case "processing":
    case "requires_capture":
      return "processing";
    default:
      return "awaiting_payment";
  }
}

function refundStatus(status: string | null): RefundStatus {
  switch (status) {
    case "succeeded":
      return "succeeded";
    case "failed":
    case "canceled":
      return "failed";
    default:
      return "pending";
  }
}

export class StripePaymentProvider implements PaymentProvider {
  readonly kind = "stripe" as const;
  readonly confirmedBy = "webhook" as const;

  constructor(private readonly options: StripeProviderOptions = {}) {}

  /** The configured SDK client (for calls this adapter does not wrap yet). */
  get client(): Stripe {
    return stripeClient(this.options);
  }

  async createDepositPayment(input: CreateDepositPaymentInput): Promise<DepositPayment> {
    if (input.methods.length === 0) throw new RangeError("at least one payment method is required");
    const amount = toStripeAmount(input.amount);
    try {
      const intent = await this.client.paymentIntents.create(
        {
          amount,
          currency: input.currency,
          // The SDK's pinned API version (2026-09-30.endive and later) takes the methods as
          // allowed_payment_method_types; the older payment_method_types parameter is gone.
          allowed_payment_method_types: [...input.methods],
          metadata: { ...input.metadata, reference: input.reference },
          description: `Bid deposit ${input.reference}`,
        },
        { idempotencyKey: input.idempotencyKey ?? `deposit:${input.reference}` },
      );
      return {
        providerRef: intent.id,
        clientSecret: intent.client_secret ?? undefined,
        status: depositStatus(intent.status),
      };
    } catch (error) {
      throw providerError(error);
    }
  }

  async refund(input: RefundInput): Promise<RefundResult> {
    const amount = toStripeAmount(input.amount);
    try {
      const refund = await this.client.refunds.create(
        { payment_intent: input.providerRef, amount, ...(input.metadata ? { metadata: input.metadata } : {}) },
        { idempotencyKey: input.idempotencyKey },
      );
      return { refundRef: refund.id, status: refundStatus(refund.status) };
    } catch (error) {
      throw providerError(error);
    }
  }
}

// ---- transfers to connected accounts (settlement payouts) ---------------------------------------

export interface StripeTransferInput {
  /** fen (CNY's minor unit), > 0 and within Stripe's eight digits */
  amount: bigint;
  /** the connected account: acct_… */
  destination: string;
  /** Required: the same key always means the same transfer (a retry returns the first one). */
  idempotencyKey: string;
  metadata?: Record<string, string>;
  description?: string;
}

export interface StripeTransfer {
  /** Stripe's transfer id, tr_… */
  transferRef: string;
  amount: bigint;
  destination: string;
}

/**
 * Pays a connected account from the platform balance (POST /v1/transfers, currency cny): the
 * settlement statement's payout to an agency with a Stripe account. A transfer is final when the
 * call returns (no webhook needed); errors come back as PaymentProviderError.
 */
export async function createStripeTransfer(input: StripeTransferInput, options: StripeProviderOptions = {}): Promise<StripeTransfer> {
  const amount = toStripeAmount(input.amount);
  if (!/^acct_[A-Za-z0-9]+$/.test(input.destination)) throw new RangeError(`not a Stripe account: ${input.destination}`);
  try {
    const transfer = await stripeClient(options).transfers.create(
      {
        amount,
        currency: "cny",
        destination: input.destination,
        ...(input.metadata ? { metadata: input.metadata } : {}),
        ...(input.description ? { description: input.description } : {}),
      },
      { idempotencyKey: input.idempotencyKey },
    );
    return { transferRef: transfer.id, amount: BigInt(transfer.amount), destination: typeof transfer.destination === "string" ? transfer.destination : (transfer.destination?.id ?? input.destination) };
  } catch (error) {
    throw providerError(error);
  }
}

/**
 * Verifies a Stripe webhook and reduces it to a PaymentEvent.
 *
 * `rawBody` must be the request body exactly as received (`await request.text()`), before any JSON
 * parsing. The signature check is the SDK's (`Stripe-Signature: t=…,v1=HMAC-SHA256(secret, t + "." +
 * body)`, compared in constant time); the timestamp must be within `toleranceSeconds` of `now` either
 * way (0 turns the check off — only for replaying stored events).
 *
 * Returns null for an authentic event this product does not act on (answer it 2xx so Stripe stops
 * retrying). Throws WebhookVerificationError for anything to refuse (answer 400), and
 * PaymentConfigError when no secret is configured. Each returned event must still be processed
 * once per `id`: Stripe delivers at least once.
 *
 * Events used: payment_intent.succeeded, payment_intent.payment_failed, and refund.created /
 * refund.updated / refund.failed by the refund's status (pending ones are ignored until they settle).
 * charge.refunded is ignored: it repeats a refund the refund.* events already carry, without the
 * refund's id.
 */
export function verifyStripeWebhook(
  rawBody: string,
  signatureHeader: string | null | undefined,
  secret: string | undefined = stripeEnv().webhookSecret,
  toleranceSeconds = 300,
  now: Date = new Date(),
): PaymentEvent | null {
  if (!secret) throw new PaymentConfigError("STRIPE_WEBHOOK_SECRET");
  if (!signatureHeader) throw new WebhookVerificationError("signature", "missing Stripe-Signature header");
  let event: Stripe.Event;
  try {
    // tolerance 0: the SDK checks the signature only; the timestamp is checked below, both ways.
    event = Stripe.webhooks.constructEvent(rawBody, signatureHeader, secret, 0);
  } catch (error) {
    if (error instanceof Stripe.errors.StripeSignatureVerificationError) {
      throw new WebhookVerificationError("signature", error.message.split("\n")[0] ?? "bad signature");
    }
    if (error instanceof SyntaxError) throw new WebhookVerificationError("payload", "webhook body is not JSON");
    throw error;
  }
  const timestamp = signedAt(signatureHeader);
  if (toleranceSeconds > 0 && Math.abs(Math.floor(now.getTime() / 1000) - timestamp) > toleranceSeconds) {
    throw new WebhookVerificationError("timestamp", `webhook signed at ${timestamp}, outside the ${toleranceSeconds} s tolerance`);
  }
  if (typeof event !== "object" || event === null || typeof event.id !== "string" || typeof event.type !== "string" || !event.data) {
    throw new WebhookVerificationError("payload", "webhook body is not a Stripe event");
  }
  return toPaymentEvent(event);
}

/** The `t=` of a header the SDK already accepted. */
function signedAt(header: string): number {
  for (const part of header.split(",")) {
    const [key, value] = part.split("=", 2);
    if (key?.trim() === "t" && value && /^\d+$/.test(value.trim())) return Number(value.trim());
  }
  throw new WebhookVerificationError("signature", "Stripe-Signature header has no timestamp");
}

function toPaymentEvent(event: Stripe.Event): PaymentEvent | null {
  const base = { id: event.id, occurredAt: new Date(event.created * 1000), livemode: event.livemode };
  switch (event.type) {
    case "payment_intent.succeeded": {
      const intent = event.data.object;
      return {
        ...base,
        type: "payment.succeeded",
        providerRef: intent.id,
        amount: BigInt(intent.amount_received),
        currency: intent.currency,
        metadata: { ...intent.metadata },
      };
    }
    case "payment_intent.payment_failed": {
      const intent = event.data.object;
      return {
        ...base,
        type: "payment.failed",
        providerRef: intent.id,
        amount: BigInt(intent.amount),
        currency: intent.currency,
        metadata: { ...intent.metadata },
        failureReason: intent.last_payment_error?.message ?? intent.last_payment_error?.code ?? undefined,
      };
    }
    case "refund.created":
    case "refund.updated":
    case "refund.failed": {
      const refund = event.data.object;
      const status = refundStatus(refund.status);
      if (status === "pending") return null;
      const paymentIntent = typeof refund.payment_intent === "string" ? refund.payment_intent : refund.payment_intent?.id;
      if (!paymentIntent) return null; // a refund of something other than a PaymentIntent: not ours
      return {
        ...base,
        type: status === "succeeded" ? "refund.succeeded" : "refund.failed",
        providerRef: paymentIntent,
        refundRef: refund.id,
        amount: BigInt(refund.amount),
        currency: refund.currency,
        metadata: { ...refund.metadata },
        ...(status === "failed" ? { failureReason: refund.failure_reason ?? refund.status ?? undefined } : {}),
      };
    }
    default:
      return null;
  }
}
