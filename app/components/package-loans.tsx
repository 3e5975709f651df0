import { enumLabel } from "~/components/loan-book";
import { cell } from "~/components/page";
import type { MaskedLoanView } from "~/domain/masking";
import { isMessageKey, type Translate } from "~/infra/i18n";

export function overdueLabel(t: Translate, bucket: string): string {
  const key = `packages.overdue.${bucket}`;
  return isMessageKey(key) ? t(key) : bucket;
}

/** The shared cells of a masked loan row: borrower and ID, branch and region, amounts, difficulty, collateral, overdue length. */
export function MaskedLoanCells({ loan, t, money }: { loan: MaskedLoanView; t: Translate; money: (fen: bigint) => string }) {
  return (
    <>
      <td className={cell}>
        {loan.borrowerName}
        <span className="block font-mono text-xs text-slate-500">{loan.borrowerIdMasked}</span>
      </td>
      <td className={cell}>{loan.branchName}<span className="block text-xs text-slate-500">{loan.region}</span></td>
      <td className={`${cell} whitespace-nowrap text-right`}>{money(loan.principal)}</td>
      <td className={`${cell} whitespace-nowrap text-right`}>{money(loan.claim)}</td>
      <td className={`${cell} whitespace-nowrap text-right font-medium`}>{money(loan.price)}</td>
      <td className={cell}>{enumLabel(t, "difficulty", loan.difficulty)}</td>
      <td className={cell}>{enumLabel(t, "collateral", loan.collateral)}</td>
      <td className={`${cell} whitespace-nowrap`}>{overdueLabel(t, loan.overdueBucket)}</td>
    </>
  );
}
