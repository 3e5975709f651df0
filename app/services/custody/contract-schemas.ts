import { z } from "zod";
import { parsePositiveYuan } from "~/domain/money";

/**
 * Inputs of the custody contract commands (issue 7, item 1), shared by the contract page's forms and
 * the /api/v1 operations. Messages are locale keys (custody-contracts area).
 */

/** The Stripe payment method types a top-up may offer (as for bid deposits). */
export const topUpStripeMethods = ["card", "alipay", "wechat_pay"] as const;
export const offlineTopUpMethods = ["BANK_TRANSFER", "PAYROLL"] as const;
export type OfflineTopUpMethod = (typeof offlineTopUpMethods)[number];

/** The contract page's sign form: the custodian must tick “我已阅读并同意”. */
export const signContractFormSchema = z.object({
  agree: z.literal("on", { error: "custody.contract.mustAgree" }),
});

/** Start a Stripe top-up: the payment method types to offer (default card). */
export const startStripeTopUpSchema = z.object({
  methods: z.array(z.enum(topUpStripeMethods, { error: "form.invalidChoice" })).min(1).max(3).default(["card"]),
});
export type StartStripeTopUpInput = z.infer<typeof startStripeTopUpSchema>;

/** Declare an offline top-up: bank transfer, or payroll deduction (staff contractors only). */
export const declareOfflineTopUpSchema = z.object({
  method: z.enum(offlineTopUpMethods, { error: "custody.topup.invalidMethod" }).meta({ description: "BANK_TRANSFER or PAYROLL (staff only)." }),
});
export type DeclareOfflineTopUpInput = z.infer<typeof declareOfflineTopUpSchema>;

/** Finance confirms an offline top-up with the voucher number (凭证号). */
export const confirmTopUpSchema = z.object({
  voucher_number: z
    .string({ error: "custody.topup.voucherRequired" })
    .trim()
    .min(1, { error: "custody.topup.voucherRequired" })
    .max(64, { error: "custody.topup.voucherTooLong" }),
});
export type ConfirmTopUpInput = z.infer<typeof confirmTopUpSchema>;

/** POST /api/v1/contracts/{id}/deposit: Stripe (→ client secret) or an offline declaration. */
export const topUpRequestSchema = z
  .object({
    method: z.enum(["stripe", "bank_transfer", "payroll"], { error: "custody.topup.invalidMethod" }).meta({
      description: "stripe: a PaymentIntent for what is owed, confirmed only by the verified webhook; bank_transfer / payroll (staff only): declared, finance confirms with a voucher.",
    }),
    methods: z.array(z.enum(topUpStripeMethods, { error: "form.invalidChoice" })).min(1).max(3).optional().meta({ description: "Stripe only: the payment method types to offer (default card)." }),
  })
  .meta({ id: "ContractDepositRequest" });
export type TopUpRequest = z.infer<typeof topUpRequestSchema>;

/** The department sets the task (承包任务, yuan) while the contract awaits signature, when the task is not the winning price by setting. */
export const setContractTaskSchema = z.object({
  task: z
    .string({ error: "custody.contract.invalidTask" })
    .trim()
    .transform((text, ctx) => {
      const fen = parsePositiveYuan(text);
      if (fen === null) {
        ctx.addIssue({ code: "custom", message: "custody.contract.invalidTask" });
        return z.NEVER;
      }
      return fen;
    }),
});
