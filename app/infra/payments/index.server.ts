// The payment provider for a deposit method. Settings are read when the provider is made (see
// stripe.server.ts for STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET and STRIPE_API_BASE).
import { OfflinePaymentProvider } from "./offline.server";
import { StripePaymentProvider } from "./stripe.server";
import type { PaymentMethodKind, PaymentProvider } from "./types";

export function paymentProvider(method: PaymentMethodKind): PaymentProvider {
  switch (method) {
    case "stripe":
      return new StripePaymentProvider();
    case "bank_transfer":
    case "payroll":
      return new OfflinePaymentProvider(method);
    default: {
      const unknown: never = method;
      throw new RangeError(`unknown payment method: ${String(unknown)}`);
    }
  }
}

export { OfflinePaymentProvider } from "./offline.server";
export { StripePaymentProvider, STRIPE_MAX_AMOUNT_FEN, verifyStripeWebhook, type StripeProviderOptions } from "./stripe.server";
export * from "./types";
