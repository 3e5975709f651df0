import { systemContext } from "~/infra/audit.server";
import { PaymentConfigError, verifyStripeWebhook, WebhookVerificationError } from "~/infra/payments/index.server";
import { processPaymentEvent } from "~/services/tenders/registration.server";

/**
 * POST /webhooks/stripe: Stripe's webhook endpoint (a resource route, no session). The raw body is
 * verified against Stripe-Signature (STRIPE_WEBHOOK_SECRET) before anything is read from it: a bad
 * or missing signature, a stale timestamp or a body that is no event → 400 and nothing changes.
 * A verified event is processed once per event id (a duplicate answers 200 and changes nothing);
 * events the product does not act on answer 200 too, so Stripe stops retrying.
 */
export async function action({ request }: { request: Request }) {
  if (request.method !== "POST") return Response.json({ error: "method_not_allowed" }, { status: 405, headers: { Allow: "POST" } });
  const rawBody = await request.text();
  let event;
  try {
    event = verifyStripeWebhook(rawBody, request.headers.get("Stripe-Signature"));
  } catch (error) {
    if (error instanceof WebhookVerificationError) return Response.json({ error: "invalid_webhook", reason: error.reason }, { status: 400 });
    if (error instanceof PaymentConfigError) {
      console.error("webhooks: STRIPE_WEBHOOK_SECRET is not set; refusing Stripe webhooks");
      return Response.json({ error: "not_configured" }, { status: 503 });
    }
    throw error;
  }
  if (!event) return Response.json({ received: true, outcome: "ignored" });
  const result = await processPaymentEvent(systemContext("stripe-webhook"), event);
  return Response.json({ received: true, outcome: result.outcome });
}

export function loader() {
  return Response.json({ error: "method_not_allowed" }, { status: 405, headers: { Allow: "POST" } });
}
