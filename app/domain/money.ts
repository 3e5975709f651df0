/**
 * Money is an integer number of fen (分) in a bigint; rates are exact fractions. Every computed
 * charge is rounded once, half up (四舍五入, half away from zero), to the fen.
 */

export type Fen = bigint;

export type MoneyErrorCode = "money.empty" | "money.invalid" | "money.negative" | "money.tooManyDecimals";

export class MoneyParseError extends Error {
  constructor(readonly code: MoneyErrorCode, readonly input: string) {
    super(`${code}: ${JSON.stringify(input)}`);
    this.name = "MoneyParseError";
  }
}

/** Fullwidth digits and punctuation (what Chinese input methods type) → ASCII. */
function toHalfwidth(input: string): string {
  return input
    .replace(/[\uFF10-\uFF19]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xff10 + 0x30))
    .replace(/\uFF0E/g, ".")
    .replace(/[\uFF0C\u3001]/g, ",")
    .replace(/\uFF0D/g, "-")
    .replace(/\uFFE5/g, "¥")
    .replace(/[\u00A0\u3000]/g, " ");
}

const amountPattern = /^(-)?\s*¥?\s*(-)?(\d{1,3}(?:,\d{3})+|\d+)?(?:\.(\d*))?$/;

/**
 * Parses yuan as people type them: `1234`, `1,234.5`, `¥1,234.56`, `１２３４．５６`.
 * Refuses junk, more than two decimals, misplaced thousands separators, and negatives unless allowed.
 */
export function parseYuan(input: string, options: { allowNegative?: boolean } = {}): Fen {
  const text = toHalfwidth(input).trim();
  if (text === "") throw new MoneyParseError("money.empty", input);
  const match = amountPattern.exec(text);
  if (!match) throw new MoneyParseError("money.invalid", input);
  const [, sign1, sign2, whole, decimals] = match;
  if ((sign1 && sign2) || (!whole && !decimals)) throw new MoneyParseError("money.invalid", input);
  if (decimals !== undefined && decimals.length > 2) throw new MoneyParseError("money.tooManyDecimals", input);
  if (decimals === "" && !whole) throw new MoneyParseError("money.invalid", input);
  const fen = BigInt((whole ?? "0").replace(/,/g, "")) * 100n + BigInt((decimals ?? "").padEnd(2, "0") || "0");
  const negative = Boolean(sign1 || sign2) && fen !== 0n;
  if (negative && !options.allowNegative) throw new MoneyParseError("money.negative", input);
  return negative ? -fen : fen;
}

function group(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** An amount as people type it (`400000`, `¥400,000.00`) that must be more than zero: its fen, or null. */
export function parsePositiveYuan(text: string): Fen | null {
  try {
    const fen = parseYuan(text);
    return fen > 0n ? fen : null;
  } catch (error) {
    if (error instanceof MoneyParseError) return null;
    throw error;
  }
}

/** `¥1,234.56` (the same in zh-CN and en). */
export function formatYuan(fen: Fen): string {
  const negative = fen < 0n;
  const abs = negative ? -fen : fen;
  return `${negative ? "-" : ""}¥${group((abs / 100n).toString())}.${(abs % 100n).toString().padStart(2, "0")}`;
}

/** The API's money: a string of yuan with two decimals, `"1234.56"`. */
export function toYuanString(fen: Fen): string {
  const negative = fen < 0n;
  const abs = negative ? -fen : fen;
  return `${negative ? "-" : ""}${abs / 100n}.${(abs % 100n).toString().padStart(2, "0")}`;
}

/** Summaries: `123.46万元` in Chinese, `¥1.23M` in English; rounded half up for display only. */
export function formatSummary(fen: Fen, locale: "zh-CN" | "en"): string {
  if (locale === "zh-CN") {
    const hundredthsOfWan = roundHalfUp(fen, 10_000n); // 1万元 = 1,000,000 fen; two decimals of 万
    return `${formatDecimal(hundredthsOfWan, 2)}万元`;
  }
  const hundredthsOfMillion = roundHalfUp(fen, 1_000_000n);
  return `¥${formatDecimal(hundredthsOfMillion, 2)}M`;
}

function formatDecimal(scaled: bigint, places: number): string {
  const negative = scaled < 0n;
  const abs = negative ? -scaled : scaled;
  const factor = 10n ** BigInt(places);
  return `${negative ? "-" : ""}${group((abs / factor).toString())}.${(abs % factor).toString().padStart(places, "0")}`;
}

/** numerator / denominator rounded half away from zero (四舍五入). */
export function roundHalfUp(numerator: bigint, denominator: bigint): bigint {
  if (denominator === 0n) throw new RangeError("division by zero");
  if (denominator < 0n) return roundHalfUp(-numerator, -denominator);
  const negative = numerator < 0n;
  const abs = negative ? -numerator : numerator;
  const quotient = (abs * 2n + denominator) / (denominator * 2n);
  return negative ? -quotient : quotient;
}

// ---- rates ------------------------------------------------------------------

/** An exact rate: numerator / denominator (4.35% = 435 / 10000). */
export interface Rate {
  readonly numerator: bigint;
  readonly denominator: bigint;
}

export class RateParseError extends Error {
  constructor(readonly input: string) {
    super(`rate.invalid: ${JSON.stringify(input)}`);
    this.name = "RateParseError";
  }
}

/** `"0.0435"`, `"4.35%"` or `"435bp"` → an exact rate. */
export function parseRate(input: string): Rate {
  const text = toHalfwidth(input).trim().replace(/％/g, "%");
  const match = /^(\d+)(?:\.(\d+))?\s*(%|bp)?$/.exec(text);
  if (!match) throw new RateParseError(input);
  const [, whole, decimals = "", unit] = match;
  const scale = 10n ** BigInt(decimals.length);
  const unitDenominator = unit === "%" ? 100n : unit === "bp" ? 10_000n : 1n;
  return normalize({ numerator: BigInt(whole!) * scale + BigInt(decimals || "0"), denominator: scale * unitDenominator });
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a < 0n ? -a : a;
}

function normalize(rate: Rate): Rate {
  const d = gcd(rate.numerator, rate.denominator) || 1n;
  return { numerator: rate.numerator / d, denominator: rate.denominator / d };
}

export function rate(numerator: bigint, denominator: bigint): Rate {
  if (denominator <= 0n || numerator < 0n) throw new RangeError("a rate is a non-negative fraction");
  return normalize({ numerator, denominator });
}

/** A rate as a decimal string with as many places as it needs (up to 10): 435/10000 → "0.0435". */
export function formatRate(r: Rate, asPercent = false): string {
  const scaled = roundHalfUp(r.numerator * (asPercent ? 100n : 1n) * 10n ** 10n, r.denominator);
  const text = formatDecimal(scaled, 10).replace(/,/g, "").replace(/\.?0+$/, "");
  return asPercent ? `${text}%` : text;
}

/** amount × rate, rounded once. */
export function applyRate(amount: Fen, r: Rate): Fen {
  return roundHalfUp(amount * r.numerator, r.denominator);
}

/** amount × annual rate × days / basis (e.g. 360), rounded once: the late-interest formula of R7. */
export function interestFor(amount: Fen, annualRate: Rate, days: number | bigint, basis: number | bigint): Fen {
  return roundHalfUp(amount * annualRate.numerator * BigInt(days), annualRate.denominator * BigInt(basis));
}
