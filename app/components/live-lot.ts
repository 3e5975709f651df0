import { formatDateTime, type Locale, type Params } from "~/infra/i18n";

/**
 * Pure logic of the live lot page (tested in test/components/live-lot.test.ts): when to reload the
 * lot after a live event, and what the bid input shows when new data arrives.
 */

export interface GateTimers {
  set: (fn: () => void, ms: number) => unknown;
  clear: (handle: unknown) => void;
}

/**
 * Debounced reloads, never two in flight: `request()` on each live event; after `debounceMs` of quiet
 * `run()` starts one reload; requests while it runs are remembered and give ONE more reload after
 * `done()` (the reload finished).
 */
export class RevalidationGate {
  private pending = false;
  private inFlight = false;
  private timer: unknown = null;
  private watchdog: unknown = null;

  /** `maxFlightMs`: a reload not reported done by then counts as done (so a lost report never stops the page). */
  constructor(
    private readonly run: () => void,
    private readonly debounceMs: number,
    private readonly timers: GateTimers,
    private readonly maxFlightMs = 15_000,
  ) {}

  request(): void {
    this.pending = true;
    if (!this.inFlight) this.schedule();
  }

  done(): void {
    if (!this.inFlight) return;
    this.inFlight = false;
    if (this.watchdog !== null) this.timers.clear(this.watchdog);
    this.watchdog = null;
    if (this.pending) this.schedule();
  }

  dispose(): void {
    if (this.timer !== null) this.timers.clear(this.timer);
    if (this.watchdog !== null) this.timers.clear(this.watchdog);
    this.timer = null;
    this.watchdog = null;
    this.pending = false;
  }

  get busy(): boolean {
    return this.inFlight;
  }

  private schedule(): void {
    if (this.timer !== null) this.timers.clear(this.timer);
    this.timer = this.timers.set(() => this.fire(), this.debounceMs);
  }

  private fire(): void {
    this.timer = null;
    if (this.inFlight || !this.pending) return;
    this.pending = false;
    this.inFlight = true;
    this.watchdog = this.timers.set(() => {
      this.watchdog = null;
      this.done();
    }, this.maxFlightMs);
    this.run();
  }
}

export interface AmountField {
  /** What the input shows. */
  value: string;
  /** The user typed in it since it was last filled with the minimum. */
  edited: boolean;
  /** The minimum it was last filled from. */
  minimum: string;
}

export function initialAmount(minimum: string): AmountField {
  return { value: minimum, edited: false, minimum };
}

/** New data arrived with `minimum`: an untouched input follows it; what the user typed stays. */
export function followMinimum(field: AmountField, minimum: string): AmountField {
  if (field.minimum === minimum) return field;
  return field.edited ? { ...field, minimum } : { value: minimum, edited: false, minimum };
}

/** The user typed `value`. */
export function typeAmount(field: AmountField, value: string): AmountField {
  return { ...field, value, edited: true };
}

/** The refusal's parameters for display: ISO times (opensAt, closedAt) in China time. */
export function displayParams(locale: Locale, params: Params | undefined): Params | undefined {
  if (!params) return params;
  const out: Params = {};
  for (const [name, value] of Object.entries(params)) {
    out[name] = (name === "opensAt" || name === "closedAt") && typeof value === "string" ? formatDateTime(locale, value) : value;
  }
  return out;
}

/** A fresh idempotency key for one bid attempt (browser crypto). */
export function newIdempotencyKey(): string {
  return globalThis.crypto.randomUUID();
}

export type LiveState = "connected" | "reconnecting";

const intlLocale: Record<Locale, string> = { "zh-CN": "zh-CN", en: "en-US" };

/** A bid's time in China time to the second (bids seconds apart must read apart). */
export function formatBidTime(locale: Locale, date: Date | string): string {
  return new Intl.DateTimeFormat(intlLocale[locale], {
    year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit",
    hour12: false, timeZone: "Asia/Shanghai",
  }).format(new Date(date));
}
