import { z } from "zod";
import { formatRate, parseRate } from "~/domain/money";
import { defaultSettings, settingsSchema, type Settings } from "~/domain/settings";

/**
 * The settings form: every setting as a text field, converted to and from the typed settings.
 * Shared by the browser (validation before submit) and the server.
 */

type Key = keyof Settings;
export const settingKeys = Object.keys(defaultSettings) as Key[];
const rateKeys = new Set<string>(["packageTolerance", "hardShareTolerance", "maxLoanShare", "incrementRate", "internalDepositRate", "bonusThreshold", "bonusTier1Rate", "bonusTier2Rate", "bonusTier3Rate", "agencyFeeRate", "excessBonusRate", "shortfallPenaltyRate"]);
export const ratioBands = ["upTo2", "upTo5", "upTo10", "over10"] as const;

export type FieldKind = "text" | "rate" | "number" | "boolean" | "list" | "numbers" | "schedule" | "ratios" | "choice";

export function fieldKind(key: Key): FieldKind {
  const value = defaultSettings[key];
  if (key === "ratioRecoverable" || key === "ratioHard") return "ratios";
  if (key === "loanRateSchedule") return "schedule";
  if (key === "excludedPositions") return "list";
  if (key === "limitationAlertDays") return "numbers";
  if (key === "claimBasis" || key === "onRenege") return "choice";
  if (typeof value === "boolean") return "boolean";
  if (typeof value === "number") return "number";
  if (rateKeys.has(key)) return "rate";
  return "text";
}

export const choices: Partial<Record<Key, readonly string[]>> = {
  claimBasis: ["principal", "principal+interest"],
  onRenege: ["next-bidder", "re-tender"],
};

/** Settings → the form's field values (names like `ratioHard.upTo2`). */
export function settingsToForm(settings: Settings): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of settingKeys) {
    const value = settings[key];
    switch (fieldKind(key)) {
      case "ratios":
        for (const band of ratioBands) out[`${key}.${band}`] = (value as Record<string, string>)[band]!;
        break;
      case "schedule":
        out[key] = (value as Settings["loanRateSchedule"]).map((e) => `${e.effectiveFrom} ${e.annualRate}`).join("\n");
        break;
      case "list":
      case "numbers":
        out[key] = (value as (string | number)[]).join(", ");
        break;
      default:
        out[key] = String(value);
    }
  }
  return out;
}

const normalizeRate = (v: string) => {
  try {
    return formatRate(parseRate(v));
  } catch {
    return v;
  }
};
const splitList = (v: string) => v.split(/[,，、\n]/).map((s) => s.trim()).filter(Boolean);

function formToSettings(form: Record<string, unknown>): unknown {
  const text = (name: string) => (typeof form[name] === "string" ? (form[name] as string).trim() : "");
  const out: Record<string, unknown> = {};
  for (const key of settingKeys) {
    switch (fieldKind(key)) {
      case "ratios":
        out[key] = Object.fromEntries(ratioBands.map((b) => [b, normalizeRate(text(`${key}.${b}`))]));
        break;
      case "schedule":
        out[key] = text(key).split("\n").map((l) => l.trim()).filter(Boolean).map((line) => {
          const [effectiveFrom = "", annualRate = ""] = line.split(/\s+/);
          return { effectiveFrom, annualRate: normalizeRate(annualRate) };
        });
        break;
      case "list":
        out[key] = splitList(text(key));
        break;
      case "numbers":
        out[key] = splitList(text(key)).map(Number);
        break;
      case "boolean":
        out[key] = text(key) === "true";
        break;
      case "number":
        out[key] = text(key) === "" ? Number.NaN : Number(text(key));
        break;
      case "rate":
        out[key] = normalizeRate(text(key));
        break;
      default:
        out[key] = text(key);
    }
  }
  return out;
}

const day = /^\d{4}-\d{2}-\d{2}$/;

export const settingsFormSchema = z
  .object({
    effectiveFrom: z
      .string({ error: "form.required" })
      .refine((v) => day.test(v) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v), { error: "form.invalidDate" }),
    reason: z.string({ error: "form.required" }).trim().min(1, { error: "form.required" }).max(500, { error: "form.tooLong" }),
  })
  .catchall(z.unknown())
  .transform((input, ctx) => {
    const parsed = settingsSchema.safeParse(formToSettings(input));
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const [key, second] = issue.path;
        const field = (key === "ratioRecoverable" || key === "ratioHard") && typeof second === "string" ? `${key}.${second}` : String(key);
        ctx.addIssue({ code: "custom", message: issue.message.startsWith("settings.") ? issue.message : "settings.invalidValue", path: [field] });
      }
      return z.NEVER;
    }
    return { effectiveFrom: new Date(`${input.effectiveFrom}T00:00:00Z`), reason: input.reason, values: parsed.data };
  });
