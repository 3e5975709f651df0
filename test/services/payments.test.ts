// The payments adapters (app/infra/payments) against a local HTTP server that speaks the Stripe
// endpoints used (test/support/stripe-fake.ts), with webhooks signed by the real scheme.
import http from "node:http";
import Stripe from "stripe";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { signWebhook, startStripeFake, type StripeFake } from "../support/stripe-fake";
import {
  OfflinePaymentProvider,
  PaymentConfigError,
  PaymentProviderError,
  StripePaymentProvider,
  WebhookVerificationError,
  paymentProvider,
  verifyStripeWebhook,
  type PaymentEvent,
} from "~/infra/payments/index.server";

let fake: StripeFake;
let receiver: { url: string; received: (PaymentEvent | null)[]; close(): Promise<void> };

/** A webhook endpoint as a route would be: raw body + header → verifyStripeWebhook → 200 / 400. */
async function startReceiver(secret: () => string) {
  const received: (PaymentEvent | null)[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      try {
        const header = req.headers["stripe-signature"];
        const event = verifyStripeWebhook(Buffer.concat(chunks).toString("utf8"), Array.isArray(header) ? header[0] : header, secret());
        received.push(event);
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ received: true }));
      } catch (error) {
        const reason = error instanceof WebhookVerificationError ? error.reason : "error";
        res.writeHead(error instanceof WebhookVerificationError ? error.status : 500).end(reason);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/webhooks/stripe`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const envKeys = ["STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET", "STRIPE_API_BASE"] as const;
const savedEnv = Object.fromEntries(envKeys.map((k) => [k, process.env[k]]));

beforeAll(async () => {
  fake = await startStripeFake();
  receiver = await startReceiver(() => fake.webhookSecret);
});
afterAll(async () => {
  await receiver.close();
  await fake.close();
});
beforeEach(() => {
  fake.reset();
  receiver.received.length = 0;
  process.env.STRIPE_SECRET_KEY = fake.apiKey;
  process.env.STRIPE_WEBHOOK_SECRET = fake.webhookSecret;
  process.env.STRIPE_API_BASE = fake.url;
});
afterEach(() => {
  for (const k of envKeys) {
    if (savedEnv[k] === undefined) delete process.env[k];
    else process.env[k] = savedEnv[k];
  }
});

async function paidDeposit(reference: string, amount = 5_000_000n) {
  const stripe = paymentProvider("stripe");
  const payment = await stripe.createDepositPayment({ amount, currency: "cny", reference, methods: ["card", "alipay"] });
  const event = fake.succeed(payment.providerRef);
  return { stripe, payment, event };
}

describe("Stripe deposits", () => {
  it("creates a CNY PaymentIntent for the exact amount in fen, with the methods, metadata and an idempotency key", async () => {
    const stripe = paymentProvider("stripe");
    expect(stripe.kind).toBe("stripe");
    expect(stripe.confirmedBy).toBe("webhook");
    const payment = await stripe.createDepositPayment({
      amount: 12_345_678n, // ¥123,456.78
      currency: "cny",
      reference: "REG-1",
      metadata: { tenderId: "T-9", bidderId: "U-3" },
      methods: ["card", "alipay", "wechat_pay"],
    });
    expect(payment.providerRef).toMatch(/^pi_/);
    expect(payment.clientSecret).toMatch(new RegExp(`^${payment.providerRef}_secret_`));
    expect(payment.status).toBe("awaiting_payment");

    const intent = fake.paymentIntents.get(payment.providerRef)!;
    expect(intent.amount).toBe(12_345_678);
    expect(intent.currency).toBe("cny");
    expect(intent.allowed_payment_method_types).toEqual(["card", "alipay", "wechat_pay"]);
    expect(intent.metadata).toEqual({ tenderId: "T-9", bidderId: "U-3", reference: "REG-1" });

    const [request] = fake.requests;
    expect(request).toMatchObject({ method: "POST", path: "/v1/payment_intents", authorization: `Bearer ${fake.apiKey}`, idempotencyKey: "deposit:REG-1" });
    expect(request!.contentType).toContain("application/x-www-form-urlencoded");
    expect(request!.rawBody).toContain("amount=12345678");
    expect(request!.rawBody).toContain("allowed_payment_method_types[2]=wechat_pay");
  });

  it("returns the same PaymentIntent when the same deposit is created again (same idempotency key)", async () => {
    const stripe = paymentProvider("stripe");
    const input = { amount: 800_000n, currency: "cny" as const, reference: "REG-2", methods: ["card" as const] };
    const first = await stripe.createDepositPayment(input);
    const second = await stripe.createDepositPayment(input);
    expect(second.providerRef).toBe(first.providerRef);
    expect(second.clientSecret).toBe(first.clientSecret);
    expect(fake.paymentIntents.size).toBe(1);
    expect(fake.requests.map((r) => r.replayed)).toEqual([false, true]);

    // The same key with different parameters is Stripe's idempotency_error, not a second payment.
    const changed = stripe.createDepositPayment({ ...input, amount: 900_000n });
    await expect(changed).rejects.toBeInstanceOf(PaymentProviderError);
    await expect(changed).rejects.toMatchObject({ details: { provider: "stripe", type: "idempotency_error", statusCode: 400 } });
    // An explicit key makes a distinct payment.
    const other = await stripe.createDepositPayment({ ...input, idempotencyKey: "deposit:REG-2:retry-1" });
    expect(other.providerRef).not.toBe(first.providerRef);
  });

  it("turns Stripe errors into PaymentProviderError: too large an amount, a wrong API key, an unknown payment", async () => {
    const stripe = paymentProvider("stripe");
    await expect(
      stripe.createDepositPayment({ amount: 100_000_000n, currency: "cny", reference: "REG-BIG", methods: ["card"] }),
    ).rejects.toMatchObject({ details: { code: "amount_too_large", statusCode: 400, type: "invalid_request_error" } });

    const wrongKey = new StripePaymentProvider({ secretKey: "sk_test_wrong", apiBase: fake.url, maxNetworkRetries: 0 });
    await expect(
      wrongKey.createDepositPayment({ amount: 100n, currency: "cny", reference: "REG-K", methods: ["card"] }),
    ).rejects.toMatchObject({ details: { statusCode: 401 } });

    await expect(stripe.refund({ providerRef: "pi_missing", amount: 1n, idempotencyKey: "r-missing" })).rejects.toMatchObject({
      details: { code: "resource_missing", statusCode: 404 },
    });
    await expect(stripe.createDepositPayment({ amount: 0n, currency: "cny", reference: "REG-0", methods: ["card"] })).rejects.toThrow(RangeError);
  });

  it("needs STRIPE_SECRET_KEY", async () => {
    delete process.env.STRIPE_SECRET_KEY;
    await expect(
      paymentProvider("stripe").createDepositPayment({ amount: 100n, currency: "cny", reference: "REG-E", methods: ["card"] }),
    ).rejects.toBeInstanceOf(PaymentConfigError);
  });

  it("refunds idempotently: the same key returns the same refund, never a second one", async () => {
    const { stripe, payment } = await paidDeposit("REG-3", 5_000_000n);
    const first = await stripe.refund({ providerRef: payment.providerRef, amount: 5_000_000n, idempotencyKey: "refund:REG-3" });
    expect(first.refundRef).toMatch(/^re_/);
    expect(first.status).toBe("succeeded");
    const again = await stripe.refund({ providerRef: payment.providerRef, amount: 5_000_000n, idempotencyKey: "refund:REG-3" });
    expect(again).toEqual(first);
    expect(fake.refunds.size).toBe(1);
    const refund = fake.refunds.get(first.refundRef)!;
    expect(refund).toMatchObject({ amount: 5_000_000, currency: "cny", payment_intent: payment.providerRef });
    const refundRequests = fake.requests.filter((r) => r.path === "/v1/refunds");
    expect(refundRequests.map((r) => r.idempotencyKey)).toEqual(["refund:REG-3", "refund:REG-3"]);

    // A new key for money already refunded is refused by Stripe.
    await expect(stripe.refund({ providerRef: payment.providerRef, amount: 1n, idempotencyKey: "refund:REG-3:again" })).rejects.toMatchObject({
      details: { code: "amount_too_large" },
    });
  });

  it("cannot refund a deposit that was never paid", async () => {
    const stripe = paymentProvider("stripe");
    const payment = await stripe.createDepositPayment({ amount: 100_000n, currency: "cny", reference: "REG-4", methods: ["alipay"] });
    await expect(stripe.refund({ providerRef: payment.providerRef, amount: 100_000n, idempotencyKey: "refund:REG-4" })).rejects.toMatchObject({
      details: { code: "charge_not_refundable" },
    });
  });

  it("reports a pending refund (Alipay / WeChat Pay settle later)", async () => {
    const { stripe, payment } = await paidDeposit("REG-5", 300_000n);
    fake.refundStatus = "pending";
    const refund = await stripe.refund({ providerRef: payment.providerRef, amount: 300_000n, idempotencyKey: "refund:REG-5" });
    expect(refund.status).toBe("pending");
  });

  it("confirms through the SDK against the fake (a card payment succeeds, a declined one fails)", async () => {
    const stripe = new StripePaymentProvider();
    const ok = await stripe.createDepositPayment({ amount: 1_000n, currency: "cny", reference: "REG-C1", methods: ["card"] });
    const confirmed = await stripe.client.paymentIntents.confirm(ok.providerRef, { payment_method: "pm_card_visa" });
    expect(confirmed.status).toBe("succeeded");
    expect(fake.events.at(-1)?.type).toBe("payment_intent.succeeded");

    const bad = await stripe.createDepositPayment({ amount: 1_000n, currency: "cny", reference: "REG-C2", methods: ["card"] });
    await expect(stripe.client.paymentIntents.confirm(bad.providerRef, { payment_method: "pm_card_chargeDeclined" })).rejects.toMatchObject({
      statusCode: 402,
      code: "card_declined",
    });
    const retrieved = await stripe.client.paymentIntents.retrieve(bad.providerRef);
    expect(retrieved.status).toBe("requires_payment_method");
    expect(fake.events.at(-1)?.type).toBe("payment_intent.payment_failed");
  });
});

describe("Stripe webhooks", () => {
  it("signs with the documented scheme (matches the SDK's own test header)", () => {
    const payload = JSON.stringify({ id: "evt_1", object: "event" });
    const header = signWebhook(payload, "whsec_test", 1_700_000_000);
    expect(header).toBe(Stripe.webhooks.generateTestHeaderString({ payload, secret: "whsec_test", timestamp: 1_700_000_000 }));
    expect(header).toMatch(/^t=1700000000,v1=[0-9a-f]{64}$/);
  });

  it("accepts a correctly signed payment_intent.succeeded and maps it to payment.succeeded", async () => {
    const { payment, event } = await paidDeposit("REG-6", 12_345_678n);
    const answer = await fake.deliver(receiver.url, event);
    expect(answer.status).toBe(200);
    expect(receiver.received).toEqual([
      {
        id: event.id,
        type: "payment.succeeded",
        providerRef: payment.providerRef,
        amount: 12_345_678n,
        currency: "cny",
        metadata: { reference: "REG-6" },
        occurredAt: new Date(event.created * 1000),
        livemode: false,
      },
    ]);
    // Stripe delivers at least once: the same event arrives with the same id (processed once by the service).
    await fake.deliver(receiver.url, event);
    expect(receiver.received.map((e) => e?.id)).toEqual([event.id, event.id]);
  });

  it("maps a failed payment, a settled refund and a failed refund", async () => {
    const stripe = paymentProvider("stripe");
    const declined = await stripe.createDepositPayment({ amount: 50_000n, currency: "cny", reference: "REG-7", methods: ["card"] });
    const failed = fake.fail(declined.providerRef, "Your card has insufficient funds.");
    expect(verifyStripeWebhook(JSON.stringify(failed), signWebhook(JSON.stringify(failed), fake.webhookSecret))).toMatchObject({
      id: failed.id,
      type: "payment.failed",
      providerRef: declined.providerRef,
      amount: 50_000n,
      failureReason: "Your card has insufficient funds.",
    });

    const { payment } = await paidDeposit("REG-8", 200_000n);
    fake.refundStatus = "pending";
    const refund = await stripe.refund({ providerRef: payment.providerRef, amount: 150_000n, idempotencyKey: "refund:REG-8", metadata: { reference: "REF-8" } });
    const created = fake.events.find((e) => e.type === "refund.created")!;
    expect((await fake.deliver(receiver.url, created)).status).toBe(200);
    expect(receiver.received).toEqual([null]); // pending: nothing to act on yet

    const settled = fake.refundSucceeded(refund.refundRef);
    await fake.deliver(receiver.url, settled);
    expect(receiver.received[1]).toMatchObject({
      id: settled.id,
      type: "refund.succeeded",
      providerRef: payment.providerRef,
      refundRef: refund.refundRef,
      amount: 150_000n,
      currency: "cny",
      metadata: { reference: "REF-8" },
    });

    const second = await stripe.refund({ providerRef: payment.providerRef, amount: 50_000n, idempotencyKey: "refund:REG-8:b" });
    const refundFailed = fake.refundFailed(second.refundRef, "expired_or_canceled_card");
    await fake.deliver(receiver.url, refundFailed);
    expect(receiver.received[2]).toMatchObject({ type: "refund.failed", refundRef: second.refundRef, amount: 50_000n, failureReason: "expired_or_canceled_card" });
  });

  it("returns null for an authentic event it does not act on", async () => {
    const stripe = paymentProvider("stripe");
    await stripe.createDepositPayment({ amount: 1_000n, currency: "cny", reference: "REG-9", methods: ["card"] });
    const created = fake.events.find((e) => e.type === "payment_intent.created")!;
    expect((await fake.deliver(receiver.url, created)).status).toBe(200);
    expect(receiver.received).toEqual([null]);
  });

  it("refuses a wrong secret, a tampered body, a stale or future timestamp, a missing or malformed header", async () => {
    const { event } = await paidDeposit("REG-10", 1_000_000n);
    const body = JSON.stringify(event, null, 2);
    const now = Math.floor(Date.now() / 1000);

    expect(await fake.deliver(receiver.url, event, { secret: "whsec_someone_else" })).toEqual({ status: 400, body: "signature" });
    const tampered = body.replace('"amount_received": 1000000', '"amount_received": 9000000');
    expect(tampered).not.toBe(body);
    expect(await fake.deliver(receiver.url, event, { body: tampered })).toEqual({ status: 400, body: "signature" });
    expect(await fake.deliver(receiver.url, event, { timestamp: now - 301 })).toEqual({ status: 400, body: "timestamp" });
    expect(await fake.deliver(receiver.url, event, { timestamp: now + 3_600 })).toEqual({ status: 400, body: "timestamp" });
    expect(await fake.deliver(receiver.url, event, { signature: null })).toEqual({ status: 400, body: "signature" });
    expect(await fake.deliver(receiver.url, event, { signature: "v1=deadbeef" })).toEqual({ status: 400, body: "signature" });
    // A signature with the v0 scheme only is not accepted either.
    const v1 = signWebhook(body, fake.webhookSecret).split(",")[1]!.slice(3);
    expect(await fake.deliver(receiver.url, event, { signature: `t=${now},v0=${v1}` })).toEqual({ status: 400, body: "signature" });
    expect(receiver.received).toEqual([]);

    // Within tolerance is fine.
    expect((await fake.deliver(receiver.url, event, { timestamp: now - 290 })).status).toBe(200);
  });

  it("throws typed errors when called directly", () => {
    const payload = JSON.stringify({ id: "evt_x", object: "event", type: "payment_intent.created", created: 1, livemode: false, data: { object: {} } });
    const t = 1_700_000_000;
    const at = new Date(t * 1000);
    const header = signWebhook(payload, "whsec_a", t);
    expect(verifyStripeWebhook(payload, header, "whsec_a", 300, at)).toBeNull();
    expect(() => verifyStripeWebhook(payload, header, "whsec_b", 300, at)).toThrow(WebhookVerificationError);
    expect(() => verifyStripeWebhook(payload, header, "whsec_a", 300, new Date((t + 301) * 1000))).toThrow(
      expect.objectContaining({ reason: "timestamp" }),
    );
    expect(() => verifyStripeWebhook("not json", signWebhook("not json", "whsec_a", t), "whsec_a", 300, at)).toThrow(
      expect.objectContaining({ reason: "payload" }),
    );
    delete process.env.STRIPE_WEBHOOK_SECRET;
    expect(() => verifyStripeWebhook(payload, header)).toThrow(PaymentConfigError);
  });
});

describe("offline deposits (bank transfer, payroll deduction)", () => {
  it("makes a reference to confirm later, and refund instructions", async () => {
    for (const method of ["bank_transfer", "payroll"] as const) {
      const offline = paymentProvider(method);
      expect(offline).toBeInstanceOf(OfflinePaymentProvider);
      expect(offline.kind).toBe(method);
      expect(offline.confirmedBy).toBe("finance");
      const payment = await offline.createDepositPayment({ amount: 5_000_000n, currency: "cny", reference: "REG-20", methods: [] });
      expect(payment).toEqual({ providerRef: "offline:REG-20", status: "pending_confirmation" });
      const refund = await offline.refund({ providerRef: payment.providerRef, amount: 5_000_000n, idempotencyKey: "refund:REG-20" });
      expect(refund).toEqual({ refundRef: "offline-refund:refund:REG-20", status: "pending_confirmation" });
      expect(await offline.refund({ providerRef: payment.providerRef, amount: 5_000_000n, idempotencyKey: "refund:REG-20" })).toEqual(refund);
      await expect(offline.refund({ providerRef: "pi_123", amount: 1n, idempotencyKey: "k" })).rejects.toThrow(RangeError);
      await expect(offline.createDepositPayment({ amount: 0n, currency: "cny", reference: "REG-21", methods: [] })).rejects.toThrow(RangeError);
    }
    expect(fake.requests).toEqual([]); // nothing was called
  });
});
