/**
 * Personal data as everyone sees it by default (PIPL): 王*明, 110105********1234, 138****5678.
 * Unmasking is a permission and an audited act (services/loans/unmask.server.ts).
 */

/** Keeps the first and last character of a person's name: 王小明 → 王*明, 王明 → 王*, 欧阳小明 → 欧**明. */
export function maskPersonName(name: string): string {
  const chars = [...name.trim()];
  if (chars.length === 0) return "";
  if (chars.length === 1) return "*";
  if (chars.length === 2) return `${chars[0]}*`;
  return `${chars[0]}${"*".repeat(chars.length - 2)}${chars[chars.length - 1]}`;
}

/** A corporate borrower's name is not personal data; an individual's is masked. */
export function maskBorrowerName(name: string, borrowerType: string): string {
  return borrowerType === "corporate" ? name : maskPersonName(name);
}

/** First six and last four characters kept: 110105199001011234 → 110105********1234. */
export function maskIdNumber(id: string): string {
  if (id.length <= 10) return "*".repeat(id.length);
  return `${id.slice(0, 6)}${"*".repeat(id.length - 10)}${id.slice(-4)}`;
}

/** First three and last four digits kept: 13812345678 → 138****5678; short numbers keep the last two. */
export function maskPhone(phone: string): string {
  if (phone.length >= 8) return `${phone.slice(0, 3)}${"*".repeat(phone.length - 7)}${phone.slice(-4)}`;
  return `${"*".repeat(Math.max(0, phone.length - 2))}${phone.slice(-2)}`;
}

/** A loan as bidders and the package pages list it: personal data masked (name 王*明, ID number). */
export interface MaskedLoanView {
  borrowerName: string;
  borrowerIdMasked: string;
  branchName: string;
  region: string;
  principal: bigint;
  claim: bigint;
  /** the price the loan carries in the package */
  price: bigint;
  difficulty: string;
  collateral: string;
  overdueBucket: string;
}
