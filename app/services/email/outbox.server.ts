import type { Tx } from "~/infra/audit.server";
import { prisma } from "~/infra/db.server";
import { isLocale, defaultLocale } from "~/infra/i18n";
import { mailFrom, smtpTransport } from "~/infra/mailer.server";
import { templates, type TemplateName } from "./templates";

type Params<T extends TemplateName> = Parameters<(typeof templates)[T]>[1];

/** Renders a message in the recipient's language into the outbox (inside the caller's transaction). */
export async function queueEmailIn<T extends TemplateName>(tx: Tx, to: { email: string; locale: string }, template: T, params: Params<T>) {
  const locale = isLocale(to.locale) ? to.locale : defaultLocale;
  const rendered = (templates[template] as (l: typeof locale, p: Params<T>) => { subject: string; text: string; html: string })(locale, params);
  return tx.outboxEmail.create({ data: { to: to.email, locale, template, ...rendered } });
}

/**
 * Delivers one outbox message (the `email.send` job). Idempotent: a message already sent or stored
 * is left alone, so a retried or duplicated job never sends twice.
 */
export async function deliverOutboxEmail(id: string): Promise<"sent" | "stored" | "already-done"> {
  const message = await prisma.outboxEmail.findUnique({ where: { id } });
  if (!message) throw new Error(`outbox email ${id} not found`);
  if (message.status === "SENT" || message.status === "STORED") return "already-done";
  const transport = smtpTransport();
  if (!transport) {
    await prisma.outboxEmail.update({ where: { id }, data: { status: "STORED" } });
    return "stored";
  }
  try {
    const info = await transport.sendMail({ from: mailFrom(), to: message.to, subject: message.subject, text: message.text, html: message.html });
    await prisma.outboxEmail.update({ where: { id }, data: { status: "SENT", sentAt: new Date(), messageId: info.messageId, attempts: { increment: 1 } } });
    return "sent";
  } catch (error) {
    await prisma.outboxEmail.update({
      where: { id },
      data: { status: "FAILED", error: error instanceof Error ? error.message : String(error), attempts: { increment: 1 } },
    });
    throw error; // the job retries with backoff; FAILED becomes SENT on a later success
  } finally {
    transport.close();
  }
}

export function listOutbox(page = 1, pageSize = 50) {
  return Promise.all([
    prisma.outboxEmail.count(),
    prisma.outboxEmail.findMany({ orderBy: { createdAt: "desc" }, skip: (page - 1) * pageSize, take: pageSize }),
  ]);
}
