// The payments adapter interface (architecture.md: infra adapters behind a small interface).
// Two implementations: Stripe (stripe.server.ts) and offline — bank transfer or payroll deduction
// (offline.server.ts). Services pick one with paymentProvider() from index.server.ts.
//
// Money here is always fen (分) in a bigint, the project's Fen. For CNY, Stripe's minor unit is the
// fen too, so amounts cross the boundary unchanged (bigint → number at the SDK call only).
//
// A status returned by createDepositPayment or refund is informative: money counts as received
// (or refunded) only when a verified webhook says so (Stripe) or finance confirms it with a voucher
// number (offline).
import type { Fen } from "~/domain/money";

/** How a bidder pays a deposit: Stripe online, or one of the offline ways finance confirms. */
export type PaymentMethodKind = "stripe" | "bank_transfer" | "payroll";

/** Payment method types offered inside Stripe (subject to what the operator's account allows). */
export type StripeMethod = "card" | "alipay" | "wechat_pay";

/** Only CNY for now; the tender's currency (lowercase ISO 4217, as Stripe writes it). */
export type PaymentCurrency = "cny";

export interface CreateDepositPaymentInput {
  amount: Fen;
  currency: PaymentCurrency;
  /** Our own reference for the deposit (e.g. the registration id); becomes metadata.reference. */
  reference: string;
  /** Extra string metadata stored with the payment (Stripe: at most 50 keys, values ≤ 500 chars). */
  metadata?: Record<string, string>;
  /** Stripe payment method types to offer; ignored by the offline provider. */
  methods: StripeMethod[];
  /**
   * Idempotency key for the create call; defaults to `deposit:<reference>`, so retrying the same
   * registration returns the same payment instead of a second one.
   */
  idempotencyKey?: string;
}

/**
 * - `awaiting_payment`: created, the bidder still has to pay (Stripe requires_payment_method,
 *   requires_confirmation or requires_action).
 * - `processing`: paid, the provider has not settled it yet.
 * - `succeeded` / `canceled`: as reported by the provider at the time of the call.
 * - `pending_confirmation`: offline; finance confirms it later with a voucher number.
 */
export type DepositPaymentStatus = "awaiting_payment" | "processing" | "succeeded" | "canceled" | "pending_confirmation";

export interface DepositPayment {
  /** The provider's id for the payment: Stripe `pi_…`, offline `offline:<reference>`. */
  providerRef: string;
  /** Stripe only: what the browser needs to confirm the PaymentIntent (Stripe.js / Payment Element). */
  clientSecret?: string;
  status: DepositPaymentStatus;
}

export interface RefundInput {
  /** The payment to refund (DepositPayment.providerRef). */
  providerRef: string;
  amount: Fen;
  /** Required: the same key always means the same refund (Stripe returns the first one again). */
  idempotencyKey: string;
  metadata?: Record<string, string>;
}

/**
 * - `pending`: the provider accepted it and will settle it (Alipay / WeChat Pay refunds can take time).
 * - `succeeded` / `failed`: as reported at the time of the call.
 * - `pending_confirmation`: offline; an instruction finance carries out and confirms later.
 */
export type RefundStatus = "pending" | "succeeded" | "failed" | "pending_confirmation";

export interface RefundResult {
  /** The provider's refund id: Stripe `re_…`, offline `offline-refund:<idempotencyKey>`. */
  refundRef: string;
  status: RefundStatus;
}

export interface PaymentProvider {
  readonly kind: PaymentMethodKind;
  /** How money gets confirmed: by a verified provider webhook, or by finance entering a voucher. */
  readonly confirmedBy: "webhook" | "finance";
  createDepositPayment(input: CreateDepositPaymentInput): Promise<DepositPayment>;
  refund(input: RefundInput): Promise<RefundResult>;
}

export type PaymentEventType = "payment.succeeded" | "payment.failed" | "refund.succeeded" | "refund.failed";

/** A verified provider event, reduced to what services act on. */
export interface PaymentEvent {
  /** The provider's event id (Stripe `evt_…`): record it to process each event once. */
  id: string;
  type: PaymentEventType;
  /** The payment the event is about (Stripe PaymentIntent id), for refund events too. */
  providerRef: string;
  /** Refund events: the refund's id (Stripe `re_…`), matching RefundResult.refundRef. */
  refundRef?: string;
  /** payment.succeeded: the amount received; payment.failed: the amount asked; refunds: the refund's amount. */
  amount: Fen;
  /** Lowercase ISO code as the provider reports it; compare with what was asked. */
  currency: string;
  /** The payment's (or refund's) metadata, including `reference`. */
  metadata: Record<string, string>;
  /** payment.failed / refund.failed: the provider's reason, when it gives one. */
  failureReason?: string;
  /** When the provider created the event. */
  occurredAt: Date;
  livemode: boolean;
}

/** The provider refused a call or could not be reached; `code` is the provider's error code when given. */
export class PaymentProviderError extends Error {
  constructor(
    message: string,
    readonly details: {
      provider: PaymentMethodKind;
      /** Stripe error type, e.g. invalid_request_error, card_error, idempotency_error, api_connection_error. */
      type?: string;
      /** Stripe error code, e.g. amount_too_large, resource_missing. */
      code?: string;
      statusCode?: number;
      requestId?: string;
    },
  ) {
    super(message);
    this.name = "PaymentProviderError";
  }
}

/**
 * A webhook that must be refused (answer 400 and do not process it):
 * - `signature`: missing or malformed Stripe-Signature header, or no v1 signature matches the body
 *   (wrong secret or tampered body);
 * - `timestamp`: signed too long ago (or too far in the future): a possible replay;
 * - `payload`: signed correctly but not a JSON event.
 */
export class WebhookVerificationError extends Error {
  readonly status = 400;
  constructor(
    readonly reason: "signature" | "timestamp" | "payload",
    message: string,
  ) {
    super(message);
    this.name = "WebhookVerificationError";
  }
}

/** A required setting (env var) is missing: a deployment problem, not the caller's. */
export class PaymentConfigError extends Error {
  constructor(readonly variable: string) {
    super(`${variable} is not set`);
    this.name = "PaymentConfigError";
  }
}
