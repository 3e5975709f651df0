// Offline bid deposits: bank transfer (银行转账) or payroll deduction (工资代扣). Nothing to call: the
// bidder declares the payment, finance confirms it later with a voucher number (凭证号), and refunds
// are instructions finance carries out and confirms the same way. That workflow belongs to the
// service; this adapter only hands out stable references.
import type {
  CreateDepositPaymentInput,
  DepositPayment,
  PaymentProvider,
  RefundInput,
  RefundResult,
} from "./types";

export class OfflinePaymentProvider implements PaymentProvider {
  readonly confirmedBy = "finance" as const;

  constructor(readonly kind: "bank_transfer" | "payroll") {}

  async createDepositPayment(input: CreateDepositPaymentInput): Promise<DepositPayment> {
    if (input.amount <= 0n) throw new RangeError(`payment amount must be positive, got ${input.amount} fen`);
    if (!input.reference) throw new RangeError("a payment reference is required");
    return { providerRef: `offline:${input.reference}`, status: "pending_confirmation" };
  }

  /** An instruction to pay the money back; the same idempotency key always names the same instruction. */
  async refund(input: RefundInput): Promise<RefundResult> {
    if (input.amount <= 0n) throw new RangeError(`refund amount must be positive, got ${input.amount} fen`);
    if (!input.providerRef.startsWith("offline:")) throw new RangeError(`not an offline payment: ${input.providerRef}`);
    if (!input.idempotencyKey) throw new RangeError("an idempotency key is required");
    return { refundRef: `offline-refund:${input.idempotencyKey}`, status: "pending_confirmation" };
  }
}
