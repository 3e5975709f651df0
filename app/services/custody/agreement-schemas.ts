import { z } from "zod";
import { isCalendarDay } from "~/domain/calendar";
import { formatYuan, MoneyParseError, parsePositiveYuan, parseYuan, type Fen } from "~/domain/money";
import type { AgreementProblem, Instalment } from "~/domain/repayment-agreement";

/**
 * R5 repayment agreements: the forms' and the API's inputs, shared by the browser and the server
 * (no server imports here), and the messages of a refused schedule, one per problem with the
 * instalment it is about ("第 3 期：…").
 */

/** At most this many instalments in one schedule (weekly over 36 months is 157). */
export const maxInstalments = 400;
export const reasonMaxLength = 500;
export const noteMaxLength = 500;

/** A message key with its parameters (rendered by the page in the reader's language). */
export interface ProblemMessage {
  key: string;
  params: Record<string, string | number>;
}

// ---- the page's schedule textarea ----------------------------------------------------------------

/** One instalment per line: `YYYY-MM-DD principal interest`, amounts in yuan (0 allowed for one of them). */
export function parseSchedule(text: string): { instalments: Instalment[]; problems: ProblemMessage[] } {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.replace(/[\u00A0\u3000\t]/g, " ").trim())
    .filter((l) => l !== "");
  const instalments: Instalment[] = [];
  const problems: ProblemMessage[] = [];
  if (lines.length === 0) return { instalments, problems: [{ key: "custodyAgreements.problem.noInstalments", params: {} }] };
  if (lines.length > maxInstalments) return { instalments, problems: [{ key: "custodyAgreements.schedule.tooMany", params: { max: maxInstalments } }] };
  lines.forEach((text, index) => {
    const line = index + 1;
    const parts = text.split(/ +/);
    if (parts.length !== 3) {
      problems.push({ key: "custodyAgreements.schedule.lineFormat", params: { line } });
      return;
    }
    const [dueOn, principalText, interestText] = parts as [string, string, string];
    if (!isCalendarDay(dueOn)) {
      problems.push({ key: "custodyAgreements.problem.invalidDay", params: { line } });
      return;
    }
    const principal = amountOf(principalText);
    const interest = amountOf(interestText);
    if (principal === null || interest === null) {
      problems.push({ key: "custodyAgreements.schedule.amount", params: { line, value: principal === null ? principalText : interestText } });
      return;
    }
    instalments.push({ dueOn, principal, interest });
  });
  return { instalments, problems };
}

/** Yuan (0 or more, two decimals at most) → fen, or null. */
function amountOf(text: string): Fen | null {
  try {
    const fen = parseYuan(text);
    return fen >= 0n ? fen : null;
  } catch (error) {
    if (error instanceof MoneyParseError) return null;
    throw error;
  }
}

/** The schedule as the textarea shows it (yuan without separators). */
export function scheduleText(instalments: readonly Instalment[]): string {
  const yuan = (fen: Fen) => {
    const whole = fen / 100n;
    const cents = fen % 100n;
    return cents === 0n ? whole.toString() : `${whole}.${cents.toString().padStart(2, "0")}`;
  };
  return instalments.map((i) => `${i.dueOn} ${yuan(i.principal)} ${yuan(i.interest)}`).join("\n");
}

/** One message per problem checkAgreement found; `line` is the instalment's number (1-based). */
export function problemMessage(problem: AgreementProblem, signedOn: string): ProblemMessage {
  switch (problem.code) {
    case "no_instalments":
      return { key: "custodyAgreements.problem.noInstalments", params: {} };
    case "invalid_day":
      return { key: "custodyAgreements.problem.invalidDay", params: { line: problem.index + 1 } };
    case "due_before_signing":
      return { key: "custodyAgreements.problem.dueBeforeSigning", params: { line: problem.index + 1, signedOn } };
    case "not_in_order":
      return { key: "custodyAgreements.problem.notInOrder", params: { line: problem.index + 1 } };
    case "non_positive_instalment":
      return { key: "custodyAgreements.problem.nonPositive", params: { line: problem.index + 1 } };
    case "negative_amount":
      return { key: "custodyAgreements.problem.negative", params: { line: problem.index + 1 } };
    case "too_long":
      return { key: "custodyAgreements.problem.tooLong", params: { lastDueOn: problem.lastDueOn, latest: problem.latest, maxMonths: problem.maxMonths } };
    case "new_lending":
      return {
        key: problem.part === "principal" ? "custodyAgreements.problem.newLendingPrincipal" : "custodyAgreements.problem.newLendingInterest",
        params: { scheduled: formatYuan(problem.scheduled), outstanding: formatYuan(problem.outstanding) },
      };
  }
}

// ---- page forms ------------------------------------------------------------------------------------

const day = (key: string) => z.string({ error: key }).trim().refine(isCalendarDay, { error: key });

export const agreementFormSchema = z.object({
  signed_on: day("custodyAgreements.signedOn.invalid"),
  schedule: z.string({ error: "custodyAgreements.problem.noInstalments" }).trim().min(1, { error: "custodyAgreements.problem.noInstalments" }),
  reason: z.string().trim().max(reasonMaxLength, { error: "custodyAgreements.reasonTooLong" }).optional().default(""),
});

export const paymentFormSchema = z.object({
  agreement_id: z.string().trim().min(1, { error: "form.invalidChoice" }).max(64, { error: "form.invalidChoice" }),
  paid_on: day("custodyAgreements.payment.invalidDay"),
  amount: z
    .string({ error: "custodyAgreements.payment.invalidAmount" })
    .refine((v) => parsePositiveYuan(v) !== null, { error: "custodyAgreements.payment.invalidAmount" })
    .transform((v) => parsePositiveYuan(v)!),
});

// ---- API requests -----------------------------------------------------------------------------------

const yuanText = z
  .string({ error: "custodyAgreements.api.amount" })
  .regex(/^\d+(\.\d{1,2})?$/, { error: "custodyAgreements.api.amount" })
  .meta({ description: "Yuan, at most two decimals, e.g. \"10000\" or \"500.50\"; 0 allowed for one of the two parts." });

export const recordAgreementRequestSchema = z
  .object({
    signed_on: z.string().refine(isCalendarDay, { error: "custodyAgreements.signedOn.invalid" }).meta({ description: "The signing day (China calendar), YYYY-MM-DD: not in the future, within the custody term." }),
    instalments: z
      .array(z.object({ due_on: z.string().meta({ description: "YYYY-MM-DD" }), principal: yuanText, interest: yuanText }))
      .min(1, { error: "custodyAgreements.problem.noInstalments" })
      .max(maxInstalments, { error: "custodyAgreements.schedule.tooMany" }),
    reason: z.string().max(reasonMaxLength, { error: "custodyAgreements.reasonTooLong" }).optional().meta({ description: "Why the schedule collects less than owed: required when it does (a waiver request)." }),
  })
  .meta({ id: "RecordAgreementRequest" });

export const agreementPaymentRequestSchema = z
  .object({
    paid_on: z.string().refine(isCalendarDay, { error: "custodyAgreements.payment.invalidDay" }).meta({ description: "YYYY-MM-DD, not in the future, not before the agreement was signed." }),
    amount: z
      .string()
      .refine((v) => /^\d+(\.\d{1,2})?$/.test(v) && parsePositiveYuan(v) !== null, { error: "custodyAgreements.payment.invalidAmount" })
      .meta({ description: "Yuan, more than zero, e.g. \"10500.00\"." }),
  })
  .meta({ id: "AgreementPaymentRequest" });

export const waiverDecisionRequestSchema = z
  .object({
    decision: z.enum(["approve", "reject"], { error: "custodyAgreements.waiver.invalidDecision" }),
    note: z.string().max(noteMaxLength, { error: "custodyAgreements.waiver.noteTooLong" }).optional().meta({ description: "Required to reject." }),
  })
  .meta({ id: "WaiverDecisionRequest" });

/** The API's instalments → the domain's (fen). */
export function instalmentsFromApi(rows: z.infer<typeof recordAgreementRequestSchema>["instalments"]): Instalment[] {
  return rows.map((r) => ({ dueOn: r.due_on, principal: parseYuan(r.principal), interest: parseYuan(r.interest) }));
}
