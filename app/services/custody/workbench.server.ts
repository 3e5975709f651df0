import { can } from "~/domain/access";
import { todayInChina } from "~/domain/calendar";
import { contactDay, type ConductRules } from "~/domain/conduct";
import { UserError } from "~/domain/errors";
import { limitationStatus } from "~/domain/limitation";
import { maskBorrowerName } from "~/domain/masking";
import { audited, type AuditContext } from "~/infra/audit.server";
import { prisma } from "~/infra/db.server";
import { decryptPii } from "~/infra/pii.server";
import { custodianLimitationPanel, type LimitationPanelData } from "~/services/loans/limitation.server";
import { unmaskedFields } from "~/services/loans/unmask.server";
import { settingsAt } from "~/services/settings/settings.server";
import { custodianKeyOf, inCustodyTerm, requireCustodianOfLoan, type CustodyViewer } from "./access.server";
import { activitiesOf, effectiveContactsOn, type ActivityView } from "./activities.server";
import { missedInstalmentFlags } from "./agreements.server";

/**
 * The collection workbench (issue 7, items 2–3): the custodian's loans in custody, and one loan in
 * full. Personal data is shown in full only to the custodian's users, only for loans of their own
 * ACTIVE contract and only during its term (access.server.ts); every view of the loan page is one
 * audit entry `custody.loan.view`, written in the transaction that reads the data (PIPL art. 21).
 */

/** Agreements that still bind the debtor (the loan row's "open agreement" flag). */
const openAgreementStatuses = ["ACTIVE", "PENDING_WAIVER"];

export interface CustodyLoanRow {
  loanNumber: string;
  contractId: string;
  contractNumber: string;
  /** masked in the list (王*明); the loan page shows it in full */
  borrower: string;
  principal: bigint;
  interest: bigint;
  custodyEndsAt: string;
  expiresOn: string;
  daysLeft: number;
  bucket: number | null;
  lapsed: boolean;
  lastActivity: { kind: string; at: string } | null;
  openAgreement: boolean;
  /** instalments of its standing agreements that fell due and were not paid */
  missedInstalments: number;
}

/** The user's loans in custody at `now`: every IN_CUSTODY loan of their ACTIVE contracts in term, soonest expiry first. */
export async function myCustodyLoans(user: CustodyViewer, now = new Date()): Promise<CustodyLoanRow[]> {
  if (!can(user.roles, "custody:work")) throw new UserError("custody.forbidden", { status: 403 });
  const contracts = (
    await prisma.custodyContract.findMany({
      where: { custodianKey: custodianKeyOf(user), status: "ACTIVE", custodyStartsAt: { lte: now }, custodyEndsAt: { gt: now } },
      include: { loans: { where: { status: "IN_CUSTODY" } } },
    })
  ).filter((c) => inCustodyTerm(c, now));
  const held = contracts.flatMap((c) => c.loans.map((l) => ({ contract: c, custodyLoan: l })));
  if (held.length === 0) return [];
  const loanIds = held.map((h) => h.custodyLoan.loanId);
  const { values } = await settingsAt(now);
  const today = todayInChina(now);
  const [loans, activities, agreements] = await Promise.all([
    prisma.loan.findMany({ where: { id: { in: loanIds } }, select: { id: true, borrowerName: true, borrowerType: true, limitationExpiresOn: true } }),
    prisma.collectionActivity.findMany({
      where: { contractId: { in: contracts.map((c) => c.id) }, loanId: { in: loanIds } },
      orderBy: { at: "desc" },
      select: { contractId: true, loanId: true, kind: true, at: true },
    }),
    prisma.repaymentAgreement.findMany({
      where: { contractId: { in: contracts.map((c) => c.id) }, loanId: { in: loanIds }, status: { in: openAgreementStatuses } },
      select: { contractId: true, loanId: true },
    }),
  ]);
  const missed = Object.assign({}, ...(await Promise.all(contracts.map((c) => missedInstalmentFlags(c.id, today))))) as Record<string, number>;
  const rows = held.map(({ contract, custodyLoan }): CustodyLoanRow => {
    const loan = loans.find((l) => l.id === custodyLoan.loanId)!;
    const status = limitationStatus(loan.limitationExpiresOn, today, values.limitationAlertDays);
    const last = activities.find((a) => a.contractId === contract.id && a.loanId === loan.id);
    return {
      loanNumber: custodyLoan.loanNumber,
      contractId: contract.id,
      contractNumber: contract.number,
      borrower: maskBorrowerName(loan.borrowerName, loan.borrowerType),
      principal: custodyLoan.principal,
      interest: custodyLoan.interest,
      custodyEndsAt: contract.custodyEndsAt!.toISOString(),
      expiresOn: loan.limitationExpiresOn,
      ...status,
      lastActivity: last ? { kind: last.kind, at: last.at.toISOString() } : null,
      openAgreement: agreements.some((a) => a.contractId === contract.id && a.loanId === loan.id),
      missedInstalments: missed[loan.id] ?? 0,
    };
  });
  return rows.sort((a, b) => (a.expiresOn === b.expiresOn ? a.loanNumber.localeCompare(b.loanNumber) : a.expiresOn < b.expiresOn ? -1 : 1));
}


export interface CustodyLoanView {
  loan: {
    loanNumber: string;
    borrowerName: string;
    borrowerType: string;
    borrowerIdNumber: string;
    phone: string | null;
    guarantorName: string | null;
    branchName: string;
    region: string;
    principal: bigint;
    interestOnBalance: bigint;
    interestOffBalance: bigint;
    disbursedOn: string;
    maturesOn: string;
    collateral: string;
    litigation: string;
  };
  contract: { id: string; number: string; custodyStartsAt: string; custodyEndsAt: string };
  custody: { principal: bigint; interest: bigint; pricedValue: bigint };
  limitation: LimitationPanelData;
  activities: ActivityView[];
  conduct: ConductRules & { day: string; effectiveContactsToday: number };
  openAgreement: boolean;
}

/**
 * One loan in full for its custodian during the term. The gate and the read of the personal data
 * run inside the transaction that writes the `custody.loan.view` audit entry: no data without its
 * record. Another agency, a staff member who is not the custodian, a custodian before the start or
 * from the end instant on: 404 `custody.loanNotFound`, and nothing is written.
 */
export async function custodyLoanView(context: AuditContext, user: CustodyViewer, loanNumber: string, now = new Date()): Promise<CustodyLoanView> {
  if (!can(user.roles, "custody:work")) throw new UserError("custody.forbidden", { status: 403 });
  const settings = await settingsAt(now); // read outside the transaction (the settings service uses its own connection)
  const revealed = await audited(context, async (tx, audit) => {
    const { loan, contract } = await requireCustodianOfLoan(user, loanNumber, now, tx);
    const full = await tx.loan.findUniqueOrThrow({ where: { id: loan.id }, include: { branch: { select: { name: true } } } });
    const custodyLoan = await tx.custodyLoan.findUniqueOrThrow({ where: { contractId_loanId: { contractId: contract.id, loanId: loan.id } } });
    const view = {
      loan: {
        loanNumber: full.loanNumber,
        borrowerName: full.borrowerName,
        borrowerType: full.borrowerType,
        borrowerIdNumber: decryptPii(full.borrowerIdCipher),
        phone: full.phoneCipher ? decryptPii(full.phoneCipher) : null,
        guarantorName: full.guarantorName,
        branchName: full.branch.name,
        region: full.region,
        principal: full.principal,
        interestOnBalance: full.interestOnBalance,
        interestOffBalance: full.interestOffBalance,
        disbursedOn: full.disbursedOn,
        maturesOn: full.maturesOn,
        collateral: full.collateral,
        litigation: full.litigation,
      },
      contract: { id: contract.id, number: contract.number, custodyStartsAt: contract.custodyStartsAt!.toISOString(), custodyEndsAt: contract.custodyEndsAt!.toISOString() },
      custody: { principal: custodyLoan.principal, interest: custodyLoan.interest, pricedValue: custodyLoan.pricedValue },
    };
    await audit({
      action: "custody.loan.view", entityType: "Loan", entityId: loan.id,
      after: { loanNumber: loan.loanNumber, contractId: contract.id, fields: [...unmaskedFields] },
    });
    return { ...view, loanId: loan.id };
  });
  const day = contactDay(now);
  const [limitation, activities, effectiveContactsToday, agreements] = await Promise.all([
    custodianLimitationPanel(revealed.loanId, now),
    activitiesOf(prisma, revealed.contract.id, revealed.loanId),
    effectiveContactsOn(prisma, revealed.loanId, day),
    prisma.repaymentAgreement.count({ where: { contractId: revealed.contract.id, loanId: revealed.loanId, status: { in: openAgreementStatuses } } }),
  ]);
  const { loanId: _loanId, ...rest } = revealed;
  return {
    ...rest,
    limitation,
    activities,
    conduct: {
      quietFrom: settings.values.quietHoursFrom,
      quietUntil: settings.values.quietHoursUntil,
      maxContactsPerDay: settings.values.maxContactsPerDay,
      day,
      effectiveContactsToday,
    },
    openAgreement: agreements > 0,
  };
}

