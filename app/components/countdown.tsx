import { useEffect, useRef, useState } from "react";
import type { Translate } from "~/infra/i18n";
import { useT } from "~/components/i18n";

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export interface CountdownParts {
  days: number;
  hours: number;
  minutes: number;
  seconds: number;
}

/** Whole days/hours/minutes/seconds left (rounded up to the next second), or null when the time has passed. */
export function countdownParts(remainingMs: number): CountdownParts | null {
  if (!Number.isFinite(remainingMs) || remainingMs <= 0) return null;
  let rest = Math.ceil(remainingMs / SECOND) * SECOND;
  const days = Math.floor(rest / DAY);
  rest -= days * DAY;
  const hours = Math.floor(rest / HOUR);
  rest -= hours * HOUR;
  const minutes = Math.floor(rest / MINUTE);
  rest -= minutes * MINUTE;
  return { days, hours, minutes, seconds: Math.floor(rest / SECOND) };
}

const two = (n: number) => String(n).padStart(2, "0");

/** "剩余 HH:MM:SS", "剩余 N 天 HH:MM:SS" or "已截止" for the time left between `nowMs` and `untilMs`. */
export function formatCountdown(t: Translate, untilMs: number, nowMs: number): string {
  const parts = countdownParts(untilMs - nowMs);
  if (!parts) return t("liveLot.countdown.ended");
  const time = `${two(parts.hours)}:${two(parts.minutes)}:${two(parts.seconds)}`;
  return parts.days > 0
    ? t("liveLot.countdown.remainingDays", { days: parts.days, time })
    : t("liveLot.countdown.remaining", { time });
}

/** Offset to add to the browser clock so that it reads the server's time (serverTime − Date.now() at load). */
export function clockOffset(serverTime: Date | string, clientNowMs: number): number {
  const server = new Date(serverTime).getTime();
  return Number.isFinite(server) ? server - clientNowMs : 0;
}

/**
 * Time left until `until`, measured on the SERVER's clock: the browser takes the offset between the
 * loader's `serverTime` and its own clock when the data arrives (and again whenever a new serverTime
 * comes in), then ticks every second. The first render (server and hydration) shows the time left at
 * `serverTime`, so the markup matches.
 */
export function Countdown(props: CountdownProps) {
  const t = useT();
  return <CountdownView {...props} t={t} />;
}

export interface CountdownProps {
  until: Date | string;
  serverTime: Date | string;
  testId?: string;
  /** Called once when the countdown reaches zero in the browser. */
  onExpire?: () => void;
  className?: string;
}

/** The countdown with an explicit translator (what <Countdown> renders; usable outside a Remix route). */
export function CountdownView({ until, serverTime, testId, onExpire, className, t }: CountdownProps & { t: Translate }) {
  const untilMs = new Date(until).getTime();
  const serverMs = new Date(serverTime).getTime();
  const [nowMs, setNowMs] = useState(serverMs);
  const expireRef = useRef(onExpire);
  expireRef.current = onExpire;

  useEffect(() => {
    const offset = clockOffset(new Date(serverMs), Date.now());
    const tick = () => setNowMs(Date.now() + offset);
    tick();
    const timer = window.setInterval(tick, SECOND);
    return () => window.clearInterval(timer);
  }, [serverMs]);

  const ended = !(untilMs - nowMs > 0);
  const firedFor = useRef<number | null>(null);
  useEffect(() => {
    if (!ended || firedFor.current === untilMs) return;
    // Only fire for a countdown that was running in this browser (not one already over at load).
    if (untilMs > serverMs) {
      firedFor.current = untilMs;
      expireRef.current?.();
    }
  }, [ended, untilMs, serverMs]);

  return (
    <span
      data-testid={testId}
      data-until={Number.isFinite(untilMs) ? new Date(untilMs).toISOString() : undefined}
      data-state={ended ? "ended" : "running"}
      className={className ?? "tabular-nums"}
      suppressHydrationWarning
    >
      {formatCountdown(t, untilMs, nowMs)}
    </span>
  );
}
