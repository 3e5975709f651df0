import { addDays, daysBetween, todayInChina } from "~/domain/calendar";
import { audited, systemContext, type AuditContext } from "~/infra/audit.server";
import { prisma } from "~/infra/db.server";
import { sendQueuedEmails } from "~/services/email/dispatch.server";
import { queueEmailIn } from "~/services/email/outbox.server";
import { settingsAt } from "~/services/settings/settings.server";
import { notify } from "~/services/tenders/notifications.server";
import { custodianUsers, departmentUsers, inCustodyTerm } from "./access.server";

/**
 * R8 limitation alerts for loans in custody: 90, 30 and 7 days (setting limitationAlertDays) before
 * the expiry, to the custodian's users and the department, in the bell and by email. Each
 * (loan, expiry, threshold) is sent at most once (LimitationAlert, unique). When a run finds several
 * thresholds reached at once (the job did not run for a while, or the loan entered custody late), it
 * sends only the tightest and records the looser ones as done, so they never arrive late. A verified
 * interruption moves the expiry: the alerts then follow the new expiry.
 */

export interface LimitationAlertSent {
  loanNumber: string;
  contractNumber: string;
  expiresOn: string;
  daysLeft: number;
  days: number;
  recipients: number;
}

export async function sendLimitationAlerts(now = new Date(), context: AuditContext = systemContext("custody.limitationAlerts")) {
  const { values } = await settingsAt(now);
  const thresholds = [...new Set(values.limitationAlertDays)].filter((d) => d >= 0).sort((a, b) => a - b);
  const today = todayInChina(now);
  const sent: LimitationAlertSent[] = [];
  let recordedSilently = 0;
  if (thresholds.length === 0) return { today, sent, recordedSilently };
  const held = (
    await prisma.custodyLoan.findMany({
      where: { status: "IN_CUSTODY", contract: { status: "ACTIVE", custodyStartsAt: { lte: now }, custodyEndsAt: { gt: now } } },
      include: { contract: true },
    })
  ).filter((h) => inCustodyTerm(h.contract, now));
  if (held.length === 0) return { today, sent, recordedSilently };
  const loans = await prisma.loan.findMany({
    where: { id: { in: held.map((h) => h.loanId) }, limitationExpiresOn: { gte: today, lte: addDays(today, thresholds[thresholds.length - 1]!) } },
    select: { id: true, loanNumber: true, limitationExpiresOn: true },
  });
  const department = loans.length ? await departmentUsers() : [];
  const outboxIds: string[] = [];

  for (const loan of loans) {
    const holding = held.find((h) => h.loanId === loan.id)!;
    const contract = holding.contract;
    const expiresOn = loan.limitationExpiresOn;
    const daysLeft = daysBetween(today, expiresOn);
    const reached = thresholds.filter((d) => daysLeft >= 0 && daysLeft <= d);
    if (reached.length === 0) continue;
    const result = await audited(context, async (tx, audit) => {
      // Checked inside the writing transaction: a second run (or a duplicate job) finds the rows and sends nothing.
      const done = new Set((await tx.limitationAlert.findMany({ where: { loanId: loan.id, expiresOn }, select: { days: true } })).map((a) => a.days));
      const open = reached.filter((d) => !done.has(d));
      if (open.length === 0) return null;
      const tightest = reached[0]!;
      const send = !done.has(tightest);
      for (const days of open) await tx.limitationAlert.create({ data: { loanId: loan.id, contractId: contract.id, expiresOn, days } });
      if (!send) {
        await audit({ action: "custody.limitation.alertSkipped", entityType: "Loan", entityId: loan.id, after: { loanNumber: loan.loanNumber, expiresOn, daysLeft, recorded: open } });
        return { type: "silent", count: open.length } as const;
      }
      const custodians = await custodianUsers(tx, contract);
      const people = [...custodians, ...department.filter((d) => !custodians.some((c) => c.id === d.id))];
      const params = { loanNumber: loan.loanNumber, contract: contract.number, expiresOn, daysLeft, days: tightest };
      await notify(tx, custodians.map((u) => u.id), "custody.alert.limitation", params, `/custody/loans/${encodeURIComponent(loan.loanNumber)}`);
      await notify(tx, department.filter((d) => !custodians.some((c) => c.id === d.id)).map((u) => u.id), "custody.alert.limitation", params, `/loans/${encodeURIComponent(loan.loanNumber)}`);
      const ids: string[] = [];
      for (const person of people) {
        const link = custodians.some((c) => c.id === person.id) ? `/custody/loans/${encodeURIComponent(loan.loanNumber)}` : `/loans/${encodeURIComponent(loan.loanNumber)}`;
        const row = await queueEmailIn(tx, person, "custodyLimitationAlert", { ...params, link });
        ids.push(row.id);
      }
      await audit({
        action: "custody.limitation.alert", entityType: "Loan", entityId: loan.id,
        after: { loanNumber: loan.loanNumber, contractId: contract.id, expiresOn, daysLeft, days: tightest, recorded: open, recipients: people.map((p) => p.id) },
      });
      return { type: "sent", sent: { loanNumber: loan.loanNumber, contractNumber: contract.number, expiresOn, daysLeft, days: tightest, recipients: people.length }, outboxIds: ids } as const;
    });
    if (!result) continue;
    if (result.type === "silent") {
      recordedSilently += result.count;
      continue;
    }
    sent.push(result.sent);
    outboxIds.push(...result.outboxIds);
  }
  await sendQueuedEmails(outboxIds);
  return { today, sent, recordedSilently };
}
