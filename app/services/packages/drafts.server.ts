import { randomUUID } from "node:crypto";
import {
  assessPackages, mergeRemainder, type BundleLoan, type BundleQuality, type LeftOut, type PackageDraft, type PackageQuality,
} from "~/domain/bundling";
import { todayInChina } from "~/domain/calendar";
import { UserError } from "~/domain/errors";
import { toYuanString } from "~/domain/money";
import { audited, type AuditContext, type Tx } from "~/infra/audit.server";
import type { Prisma } from "~/infra/db.server";
import { sqliteDateTime } from "~/infra/sqlite-datetime.server";
import { settingsAt } from "~/services/settings/settings.server";
import { bundleLoanColumns, chunks, listed, loanRecordsByNumber, toBundleLoan } from "./bundle-pool.server";
import { bundleSelection, bundleSettingsOf, requirePermission, type PackageActor } from "./bundling.server";
import { findPackage, packageSummary, type PackageRow, type PackageSummary } from "./package-queries.server";
import type { MoveLoanInput, SaveDraftsInput } from "./package-schemas";
import { parseQuality, serializeQuality } from "./quality-json";

/**
 * Draft packages (issue 5, item 2): saving the packages of a bundle as drafts, moving a loan between
 * drafts (both re-assessed against R2), discarding a draft (its loans go back to the pool) and merging
 * a bundle's remainder. Everything here needs packages:manage and is audit-logged.
 */

/** Room for saving a whole book's packages (the default 5 s of an interactive transaction is too short). */
export const longRun = { maxWait: 10_000, timeout: 120_000 };

/** Statuses a loan may be bundled from (R2): in the book, or returned from custody. */
export const bundleableStatuses: readonly string[] = ["IN_BOOK", "RETURNED"];

const sortedNumbers = (numbers: Iterable<string>) => [...numbers].sort();

function refuseLoans(key: string, numbers: readonly string[], field = "packages", status = 400): never {
  throw new UserError(key, { field, status, params: { count: numbers.length, loans: listed(sortedNumbers(numbers)) } });
}

export async function addEvent(tx: Tx, packageId: string, kind: string, detail: Record<string, unknown>, byId: string, at: Date): Promise<void> {
  await tx.packageEvent.create({ data: { packageId, kind, detail: JSON.stringify(detail), byId, at } });
}

/** Writes a package's change under its version: refused (409) when someone changed it meanwhile or its status moved on. */
export async function updatePackageVersioned(tx: Tx, row: Pick<PackageRow, "id" | "version" | "status">, data: Prisma.PackageUncheckedUpdateManyInput): Promise<void> {
  const updated = await tx.package.updateMany({ where: { id: row.id, status: row.status, version: row.version }, data: { ...data, version: { increment: 1 } } });
  if (updated.count !== 1) throw new UserError("packages.concurrentChange", { status: 409 });
}

export function requireDraft(row: Pick<PackageRow, "status">): void {
  if (row.status === "DISCARDED") throw new UserError("packages.discarded", { status: 409 });
  if (row.status !== "DRAFT") throw new UserError("packages.notDraft", { status: 409, params: { status: row.status } });
}

/** The settings a bundle's packages are assessed with (those in force now) and the bundle's pool hard share. */
export async function assessmentContext(tx: Tx, bundleId: string, now: Date) {
  const [bundle, settings] = await Promise.all([tx.bundle.findUniqueOrThrow({ where: { id: bundleId } }), settingsAt(now)]);
  const quality = parseQuality<Partial<BundleQuality>>(bundle.quality);
  return {
    bundle,
    settings: bundleSettingsOf(settings.values),
    options: { target: bundle.targetAmount, mode: bundle.mode === "mixed" ? ("mixed" as const) : ("by-region" as const), poolHardShare: quality.poolHardShare ?? 0 },
  };
}

/**
 * The loans of packages as the engine reads them, at the price each carries in its package (or the
 * given prices); `inPackage` is left empty: they are where they belong.
 */
export async function packagedLoans(tx: Tx, packageIds: readonly string[], now: Date, prices?: ReadonlyMap<string, bigint>) {
  const rows = await tx.packageLoan.findMany({ where: { packageId: { in: [...packageIds] } }, select: { packageId: true, price: true, loan: { select: bundleLoanColumns } } });
  const today = todayInChina(now);
  const loans = new Map<string, BundleLoan>();
  const byPackage = new Map<string, string[]>(packageIds.map((id) => [id, []]));
  for (const row of rows) {
    loans.set(row.loan.loanNumber, toBundleLoan(row.loan, today, null, prices?.get(row.loan.id) ?? row.price));
    byPackage.get(row.packageId)?.push(row.loan.loanNumber);
  }
  return { loans, byPackage };
}

/** Re-assesses packages against R2 (each with its bundle's pool hard share) and stores their totals and quality. */
export async function reassessPackages(tx: Tx, rows: readonly PackageRow[], now: Date, extra: Record<string, unknown> = {}, prices?: ReadonlyMap<string, bigint>): Promise<Map<string, PackageQuality>> {
  const { loans, byPackage } = await packagedLoans(tx, rows.map((r) => r.id), now, prices);
  const out = new Map<string, PackageQuality>();
  const contexts = new Map<string, Awaited<ReturnType<typeof assessmentContext>>>();
  for (const row of rows) {
    if (!contexts.has(row.bundleId)) contexts.set(row.bundleId, await assessmentContext(tx, row.bundleId, now));
    const context = contexts.get(row.bundleId)!;
    const draft: PackageDraft = { loanNumbers: byPackage.get(row.id) ?? [], remainder: row.isRemainder };
    const assessed = assessPackages([draft], loans, { ...context.options, target: row.targetAmount }, context.settings);
    const quality = assessed.perPackage[0]!;
    const pkg = assessed.packages[0]!;
    await updatePackageVersioned(tx, row, {
      total: quality.total, hardTotal: pkg.hardTotal, loanCount: quality.loanCount, region: pkg.region, quality: serializeQuality(quality), ...extra,
    });
    out.set(row.id, quality);
  }
  return out;
}

// ---- saving the packages of a bundle ----------------------------------------------------------------

/**
 * Saves the packages of a bundle as drafts. Every loan is checked again — it exists in the selection
 * (or was included explicitly), appears once, is available (IN_BOOK or RETURNED), priced, in no other
 * package, and not excluded by R2 unless included — and the whole save is refused otherwise. The
 * quality is re-assessed against the pool hard share of a fresh bundle of the same selection.
 * One transaction: Bundle, Packages (DRAFT), PackageLoans, "created" events and one audit entry
 * `package.create` (entity Bundle).
 */
export async function saveDraftPackages(ctx: AuditContext, user: PackageActor, input: SaveDraftsInput, now = new Date()): Promise<{ bundleId: string; packageIds: string[] }> {
  requirePermission(user, "packages:manage");
  const fresh = await bundleSelection(input, now);
  const pool = new Map(fresh.loans.map((l) => [l.loanNumber, l]));
  const records = new Map(fresh.records.map((r) => [r.loanNumber, r]));
  const leftOut = new Map(fresh.result.leftOut.map((l) => [l.loanNumber, l]));

  const drafts: PackageDraft[] = input.packages.map((p) => ({ loanNumbers: p.loan_numbers.map((n) => n.trim()), remainder: p.remainder }));
  const posted = new Set<string>();
  const twice = new Set<string>();
  for (const draft of drafts) {
    if (draft.loanNumbers.length === 0) throw new UserError("packages.emptyPackage", { field: "packages" });
    for (const n of draft.loanNumbers) (posted.has(n) ? twice : posted).add(n);
  }
  if (twice.size) refuseLoans("packages.loanTwice", [...twice]);
  const numbers = [...posted];
  const notInSelection = numbers.filter((n) => !pool.has(n));
  if (notInSelection.length) refuseLoans("packages.loanNotInSelection", notInSelection);
  const loanOf = (n: string) => pool.get(n)!;
  const unavailable = numbers.filter((n) => !bundleableStatuses.includes(loanOf(n).status));
  if (unavailable.length) refuseLoans("packages.loanUnavailable", unavailable, "packages", 409);
  const inPackage = numbers.filter((n) => loanOf(n).inPackage);
  if (inPackage.length) refuseLoans("packages.loanInPackage", inPackage, "packages", 409);
  const unpriced = numbers.filter((n) => (loanOf(n).price ?? 0n) <= 0n);
  if (unpriced.length) refuseLoans("packages.loanUnpriced", unpriced);
  const excluded = numbers.filter((n) => {
    const reason = leftOut.get(n)?.reason;
    return reason === "litigation" || reason === "written_off";
  });
  if (excluded.length) refuseLoans("packages.loanExcluded", excluded);

  const stillLeftOut: LeftOut[] = fresh.result.leftOut.filter((l) => !posted.has(l.loanNumber));
  const assessed = assessPackages(
    drafts, pool,
    { target: fresh.target, mode: input.mode, poolHardShare: fresh.result.quality.poolHardShare, leftOut: stillLeftOut },
    fresh.settings,
  );
  const selection: { loanNumbers?: string[]; filter?: SaveDraftsInput["filter"]; include: string[] } = {
    ...(input.loan_numbers !== undefined ? { loanNumbers: [...new Set(input.loan_numbers.map((n) => n.trim()))] } : { filter: input.filter ?? {} }),
    include: input.include ?? [],
  };

  return audited(ctx, async (tx, audit) => {
    // The loans as they are now: nobody may have packaged, re-priced or locked them since the pool was read.
    const current = await loanRecordsByNumber(tx, numbers);
    const members = new Set<string>();
    for (const part of chunks(current.map((l) => l.id), 500)) {
      for (const m of await tx.packageLoan.findMany({ where: { loanId: { in: part } }, select: { loanNumber: true } })) members.add(m.loanNumber);
    }
    const nowUnavailable = current.filter((l) => !bundleableStatuses.includes(l.status)).map((l) => l.loanNumber);
    if (nowUnavailable.length) refuseLoans("packages.loanUnavailable", nowUnavailable, "packages", 409);
    if (members.size) refuseLoans("packages.loanInPackage", [...members], "packages", 409);
    if (current.some((l) => l.price !== loanOf(l.loanNumber).price)) throw new UserError("packages.concurrentChange", { status: 409 });

    const bundle = await tx.bundle.create({
      data: {
        targetAmount: fresh.target, mode: input.mode, seed: input.seed ?? 1, selection: JSON.stringify(selection),
        settingsVersion: fresh.settingsVersion, quality: serializeQuality(assessed.quality), createdById: user.id, createdAt: now,
      },
    });
    const packageIds: string[] = [];
    const loanRows: { id: string; packageId: string; loanId: string; loanNumber: string; price: bigint; priceId: string | null }[] = [];
    let total = 0n;
    for (const [i, pkg] of assessed.packages.entries()) {
      const quality = assessed.perPackage[i]!;
      const created = await tx.package.create({
        data: {
          bundleId: bundle.id, draftIndex: i + 1, status: "DRAFT", isRemainder: pkg.remainder, region: pkg.region, targetAmount: fresh.target,
          total: pkg.total, hardTotal: pkg.hardTotal, loanCount: pkg.loanNumbers.length, quality: serializeQuality(quality), createdById: user.id, createdAt: now,
        },
      });
      packageIds.push(created.id);
      total += pkg.total;
      for (const n of pkg.loanNumbers) {
        const record = records.get(n)!;
        loanRows.push({ id: randomUUID(), packageId: created.id, loanId: record.id, loanNumber: n, price: record.price!, priceId: record.priceId });
      }
      await addEvent(tx, created.id, "created", { bundleId: bundle.id, draftIndex: i + 1, loanCount: pkg.loanNumbers.length, total: toYuanString(pkg.total) }, user.id, now);
    }
    // Multi-row INSERTs of 500 rows: a whole book's packages are written in well under a second.
    const at = sqliteDateTime(now);
    for (const part of chunks(loanRows, 500)) {
      const values = part.flatMap((r) => [r.id, r.packageId, r.loanId, r.loanNumber, r.price, r.priceId, at]);
      await tx.$executeRawUnsafe(
        `INSERT INTO "PackageLoan" ("id", "packageId", "loanId", "loanNumber", "price", "priceId", "addedAt") VALUES ${part.map(() => "(?, ?, ?, ?, ?, ?, ?)").join(", ")}`,
        ...values,
      );
    }
    await audit({
      action: "package.create", entityType: "Bundle", entityId: bundle.id,
      after: {
        packageCount: packageIds.length, loanCount: loanRows.length, total: toYuanString(total), target: toYuanString(fresh.target), mode: input.mode,
        seed: input.seed ?? 1, settingsVersion: fresh.settingsVersion, packageIds,
        selection: selection.loanNumbers ? { loanNumbers: selection.loanNumbers.length, include: selection.include.length } : { filter: selection.filter, include: selection.include.length },
      },
    });
    return { bundleId: bundle.id, packageIds };
  }, longRun);
}

// ---- moving a loan between drafts -------------------------------------------------------------------

/**
 * Moves one loan of a draft into another draft (of the same bundle or not). Both are re-assessed
 * (a rule the move breaks is reported with cause manual_change), both get an event (loan_out,
 * loan_in), and one audit entry `package.move_loan`.
 */
export async function moveLoan(ctx: AuditContext, user: PackageActor, packageId: string, input: MoveLoanInput, now = new Date()): Promise<{ from: PackageSummary; to: PackageSummary }> {
  requirePermission(user, "packages:manage");
  const loanNumber = input.loan_number.trim();
  return audited(ctx, async (tx, audit) => {
    const from = await findPackage(tx, packageId);
    if (input.to_package_id === from.id) throw new UserError("packages.sameTarget", { field: "to_package_id" });
    const to = await tx.package.findUnique({ where: { id: input.to_package_id } });
    if (!to) throw new UserError("packages.notFound", { status: 404, field: "to_package_id" });
    requireDraft(from);
    requireDraft(to);
    const member = await tx.packageLoan.findFirst({ where: { packageId: from.id, loanNumber } });
    if (!member) throw new UserError("packages.loanNotInPackage", { field: "loan_number", params: { loan: loanNumber } });
    await tx.packageLoan.update({ where: { id: member.id }, data: { packageId: to.id } });
    const qualities = await reassessPackages(tx, [from, to], now);
    await addEvent(tx, from.id, "loan_out", { loan: loanNumber, to: to.id, toLabel: to.number ?? `#${to.draftIndex}` }, user.id, now);
    await addEvent(tx, to.id, "loan_in", { loan: loanNumber, from: from.id, fromLabel: from.number ?? `#${from.draftIndex}` }, user.id, now);
    await audit({
      action: "package.move_loan", entityType: "Package", entityId: from.id,
      before: { from: { total: toYuanString(from.total), loanCount: from.loanCount }, to: { total: toYuanString(to.total), loanCount: to.loanCount } },
      after: {
        loanNumber, price: toYuanString(member.price), from: from.id, to: to.id,
        fromTotal: toYuanString(qualities.get(from.id)!.total), toTotal: toYuanString(qualities.get(to.id)!.total),
      },
    });
    return { from: await packageSummary(tx, from.id, user.locale), to: await packageSummary(tx, to.id, user.locale) };
  });
}

// ---- discarding a draft -----------------------------------------------------------------------------

/** Discards a draft: its loans go back to the pool (its PackageLoan rows are deleted), the package stays as DISCARDED. */
export async function discardDraft(ctx: AuditContext, user: PackageActor, packageId: string, now = new Date()): Promise<void> {
  requirePermission(user, "packages:manage");
  await audited(ctx, async (tx, audit) => {
    const row = await findPackage(tx, packageId);
    requireDraft(row);
    const released = await tx.packageLoan.deleteMany({ where: { packageId: row.id } });
    await updatePackageVersioned(tx, row, { status: "DISCARDED" });
    await addEvent(tx, row.id, "discarded", { loanCount: released.count, total: toYuanString(row.total) }, user.id, now);
    await audit({
      action: "package.discard", entityType: "Package", entityId: row.id,
      before: { status: row.status, loanCount: row.loanCount, total: toYuanString(row.total) }, after: { status: "DISCARDED", released: released.count },
    });
  });
}

// ---- merging the remainder ----------------------------------------------------------------------------

/**
 * R2: the user may merge the remainder into the other drafts of its bundle. The engine decides where
 * each loan fits (mergeRemainder); loans that fit nowhere stay in the remainder, and a remainder left
 * empty is discarded. Every changed draft is re-assessed; one audit entry `package.merge_remainder`.
 */
export async function mergeRemainderOfBundle(ctx: AuditContext, user: PackageActor, bundleId: string, now = new Date()): Promise<void> {
  requirePermission(user, "packages:manage");
  await audited(ctx, async (tx, audit) => {
    const bundle = await tx.bundle.findUnique({ where: { id: bundleId } });
    if (!bundle) throw new UserError("packages.bundleNotFound", { status: 404 });
    const rows = await tx.package.findMany({ where: { bundleId, status: "DRAFT" }, orderBy: { draftIndex: "asc" } });
    const remainder = rows.find((r) => r.isRemainder);
    if (!remainder) throw new UserError("packages.noRemainder", { status: 409 });
    const ordered = [...rows.filter((r) => r !== remainder), remainder];
    const context = await assessmentContext(tx, bundleId, now);
    const { loans, byPackage } = await packagedLoans(tx, ordered.map((r) => r.id), now);
    const drafts: PackageDraft[] = ordered.map((r) => ({ loanNumbers: byPackage.get(r.id) ?? [], remainder: r.isRemainder }));
    const merged = mergeRemainder(drafts, loans, { target: context.options.target, mode: context.options.mode }, context.settings);

    // Where each loan ends up: a merged package is the one of `ordered` holding most of its loans before.
    const home = new Map<string, string>();
    for (const r of ordered) for (const n of byPackage.get(r.id) ?? []) home.set(n, r.id);
    const destination = new Map<string, string>();
    for (const draft of merged) {
      const votes = new Map<string, number>();
      for (const n of draft.loanNumbers) {
        const h = home.get(n);
        if (h && h !== remainder.id) votes.set(h, (votes.get(h) ?? 0) + 1);
      }
      const target = draft.remainder || votes.size === 0 ? remainder.id : [...votes.entries()].sort((a, b) => b[1] - a[1])[0]![0];
      for (const n of draft.loanNumbers) destination.set(n, target);
    }
    const moves = [...destination.entries()].filter(([n, id]) => home.get(n) !== id);
    if (moves.length === 0) return;
    const touched = new Set<string>([remainder.id]);
    for (const [n, id] of moves) {
      await tx.packageLoan.updateMany({ where: { loanNumber: n, packageId: home.get(n)! }, data: { packageId: id } });
      touched.add(id);
      touched.add(home.get(n)!);
    }
    const left = await tx.packageLoan.count({ where: { packageId: remainder.id } });
    const changed = ordered.filter((r) => touched.has(r.id) && !(r.id === remainder.id && left === 0));
    await reassessPackages(tx, changed, now);
    if (left === 0) await updatePackageVersioned(tx, remainder, { status: "DISCARDED", total: 0n, hardTotal: 0n, loanCount: 0 });
    for (const r of ordered.filter((p) => touched.has(p.id))) {
      const moved = moves.filter(([n, id]) => id === r.id || home.get(n) === r.id).map(([n]) => n);
      await addEvent(tx, r.id, "merged", { loans: moved, remainder: remainder.id }, user.id, now);
    }
    if (left === 0) await addEvent(tx, remainder.id, "discarded", { merged: true }, user.id, now);
    await audit({
      action: "package.merge_remainder", entityType: "Bundle", entityId: bundleId,
      after: { remainder: remainder.id, moved: moves.length, remainderLeft: left, remainderDiscarded: left === 0 },
    });
  });
}
