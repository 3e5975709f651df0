import { can, type Permission } from "~/domain/access";
import { bundleLoans, type BundleLoan, type BundleResult, type BundleSettings } from "~/domain/bundling";
import { todayInChina } from "~/domain/calendar";
import { UserError } from "~/domain/errors";
import type { Settings } from "~/domain/settings";
import { forbidden, type AuthUser } from "~/infra/auth.server";
import { settingsAt } from "~/services/settings/settings.server";
import { listed, loadBundlePool, type BundleLoanRecord } from "./bundle-pool.server";
import { parseTargetAmount, type BundleInput } from "./package-schemas";

/**
 * R2 bundling preview (issue 5, item 1–2): the pool of a selection, bundled by the engine
 * (domain/bundling.ts) with the settings in force. Nothing is written; saving drafts is drafts.server.ts.
 */

/** Who acts: a signed-in user or an API token's user. */
export type PackageActor = Omit<AuthUser, "sessionId">;

export function requirePermission(user: Pick<AuthUser, "roles">, permission: Permission): void {
  if (!can(user.roles, permission)) throw forbidden();
}

export function bundleSettingsOf(values: Settings): BundleSettings {
  return {
    packageTolerance: values.packageTolerance,
    hardShareTolerance: values.hardShareTolerance,
    maxLoanShare: values.maxLoanShare,
    excludeLitigationFromCustody: values.excludeLitigationFromCustody,
  };
}

export interface BundlePreview {
  input: BundleInput;
  target: bigint;
  result: BundleResult;
  /** the eligible + left-out pool, for the client's re-checks */
  loans: BundleLoan[];
  settingsVersion: number;
  /** the R2 settings the bundle ran with (the builder re-checks moves with the same ones) */
  settings: BundleSettings;
}

/** The target amount in fen, or a field error. */
export function targetOf(input: Pick<BundleInput, "target_amount">): bigint {
  const target = parseTargetAmount(input.target_amount ?? "");
  if (target === null) throw new UserError("packages.invalidTarget", { field: "target_amount" });
  return target;
}

/**
 * The pool of the selection and the engine's packages for it, with the settings version in force.
 * Refuses both a list and a filter, unknown loan numbers (listing up to 20) and an empty pool.
 */
export async function bundleSelection(input: BundleInput, now = new Date()): Promise<BundlePreview & { records: BundleLoanRecord[] }> {
  if (input.loan_numbers !== undefined && input.filter !== undefined) throw new UserError("packages.selectOne", { field: "loan_numbers" });
  const target = targetOf(input);
  const today = todayInChina(now);
  const settings = await settingsAt(now);
  const pool = await loadBundlePool(input, today);
  if (pool.unknownLoanNumbers.length) {
    const field = input.loan_numbers !== undefined && pool.unknownLoanNumbers.some((n) => input.loan_numbers!.some((m) => m.trim() === n)) ? "loan_numbers" : "include";
    throw new UserError("packages.unknownLoans", { field, params: { count: pool.unknownLoanNumbers.length, loans: listed(pool.unknownLoanNumbers) } });
  }
  if (pool.loans.length === 0) throw new UserError("packages.emptySelection", input.loan_numbers !== undefined ? { field: "loan_numbers" } : {});
  const bundleSettings = bundleSettingsOf(settings.values);
  const result = bundleLoans({ loans: pool.loans, target, mode: input.mode, seed: input.seed ?? 1, include: input.include ?? [] }, bundleSettings);
  return { input, target, result, loans: pool.loans, settingsVersion: settings.version, records: pool.records, settings: bundleSettings };
}

/** POST /api/v1/bundles and the builder's preview (packages:manage). */
export async function previewBundle(user: Pick<AuthUser, "roles">, input: BundleInput, now = new Date()): Promise<BundlePreview> {
  requirePermission(user, "packages:manage");
  const { input: given, target, result, loans, settingsVersion, settings } = await bundleSelection(input, now);
  return { input: given, target, result, loans, settingsVersion, settings };
}
