import type { Tx } from "~/infra/audit.server";
import type { MessageKey, Params } from "~/infra/i18n";
import { queueEmailIn } from "~/services/email/outbox.server";
import type { TemplateName, templates } from "~/services/email/templates";
import { notify } from "~/services/tenders/notifications.server";
import { custodianUsers } from "./access.server";

type EmailParams<T extends TemplateName> = Parameters<(typeof templates)[T]>[1];

/**
 * Tells every user acting for a contract's custodian (the staff contractor, or the agency's users): a
 * bell notice with a link and, when given, an email, in the caller's transaction. Returns the outbox ids
 * to send once it commits.
 */
export async function tellCustodian<T extends TemplateName>(
  tx: Tx,
  contract: { custodianKey: string },
  notice: { key: MessageKey; params: Params; link: string },
  email?: { template: T; params: EmailParams<T> },
): Promise<string[]> {
  const users = await custodianUsers(tx, contract);
  await notify(tx, users.map((u) => u.id), notice.key, notice.params, notice.link);
  const ids: string[] = [];
  if (email) for (const user of users) ids.push((await queueEmailIn(tx, user, email.template, email.params)).id);
  return ids;
}
