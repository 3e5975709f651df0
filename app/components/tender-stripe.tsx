import { useEffect, useRef, useState } from "react";
import { useLocale, useT } from "~/components/i18n";

/**
 * Stripe's Payment Element for a bid deposit awaiting payment (browser only): loads
 * https://js.stripe.com/v3 once, mounts the element with the deposit's client secret and confirms
 * the payment with Stripe, which comes back to `returnUrl`. Nothing here marks the deposit paid:
 * only Stripe's verified notification (the webhook) does.
 */

interface StripeError {
  message?: string;
}
interface StripeElement {
  mount(target: HTMLElement): void;
  destroy(): void;
}
interface StripeElements {
  create(type: "payment"): StripeElement;
}
interface StripeInstance {
  elements(options: { clientSecret: string; locale?: string }): StripeElements;
  confirmPayment(options: { elements: StripeElements; confirmParams: { return_url: string } }): Promise<{ error?: StripeError }>;
}
type StripeFactory = (publishableKey: string) => StripeInstance;

const scriptUrl = "https://js.stripe.com/v3";
let loading: Promise<StripeFactory> | null = null;

/** Stripe.js, loaded once per page. */
function loadStripe(): Promise<StripeFactory> {
  const existing = (window as unknown as { Stripe?: StripeFactory }).Stripe;
  if (existing) return Promise.resolve(existing);
  loading ??= new Promise<StripeFactory>((resolve, reject) => {
    const script = document.createElement("script");
    script.src = scriptUrl;
    script.async = true;
    script.onload = () => {
      const factory = (window as unknown as { Stripe?: StripeFactory }).Stripe;
      if (factory) resolve(factory);
      else reject(new Error("Stripe.js did not load"));
    };
    script.onerror = () => {
      loading = null;
      reject(new Error("Stripe.js could not be loaded"));
    };
    document.head.appendChild(script);
  });
  return loading;
}

export function StripePayment({ publishableKey, clientSecret, returnUrl }: { publishableKey: string; clientSecret: string; returnUrl: string }) {
  const t = useT();
  const locale = useLocale();
  const mountRef = useRef<HTMLDivElement>(null);
  const [state, setState] = useState<"loading" | "ready" | "paying" | "failed">("loading");
  const [error, setError] = useState<string | null>(null);
  const stripeRef = useRef<{ stripe: StripeInstance; elements: StripeElements } | null>(null);

  useEffect(() => {
    let element: StripeElement | null = null;
    let cancelled = false;
    loadStripe()
      .then((factory) => {
        if (cancelled || !mountRef.current) return;
        const stripe = factory(publishableKey);
        const elements = stripe.elements({ clientSecret, locale: locale === "en" ? "en" : "zh" });
        element = elements.create("payment");
        element.mount(mountRef.current);
        stripeRef.current = { stripe, elements };
        setState("ready");
      })
      .catch(() => {
        if (!cancelled) setState("failed");
      });
    return () => {
      cancelled = true;
      element?.destroy();
      stripeRef.current = null;
    };
  }, [publishableKey, clientSecret, locale]);

  const pay = async () => {
    const current = stripeRef.current;
    if (!current) return;
    setState("paying");
    setError(null);
    const result = await current.stripe.confirmPayment({ elements: current.elements, confirmParams: { return_url: new URL(returnUrl, window.location.href).toString() } });
    // Only reached when Stripe refuses before redirecting (card declined, missing details…).
    setError(result.error?.message ?? t("tenderPages.stripe.failed"));
    setState("ready");
  };

  return (
    <div className="mt-3 max-w-xl rounded border border-slate-200 p-4" data-testid="stripe-payment" data-state={state}>
      {state === "loading" ? <p className="text-sm text-slate-500">{t("tenderPages.stripe.loading")}</p> : null}
      {state === "failed" ? <p className="text-sm text-red-700" role="alert">{t("tenderPages.stripe.unavailable")}</p> : null}
      <div ref={mountRef} />
      {error ? <p className="mt-2 text-sm text-red-700" role="alert" data-testid="stripe-error">{error}</p> : null}
      {state === "ready" || state === "paying" ? (
        <button
          type="button" onClick={() => void pay()} disabled={state === "paying"}
          className="mt-3 rounded bg-blue-700 px-4 py-2 text-sm font-medium text-white hover:bg-blue-800 disabled:opacity-60" data-testid="stripe-pay"
        >
          {state === "paying" ? t("tenderPages.stripe.paying") : t("tenderPages.stripe.pay")}
        </button>
      ) : null}
    </div>
  );
}
