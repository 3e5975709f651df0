import { getQueue, jobs } from "~/infra/queue.server";

/**
 * After the commit that wrote them into the outbox: one `email.send` job per message. Failures are
 * logged, not thrown (the change is committed; the message stays PENDING in the outbox).
 */
export async function sendQueuedEmails(outboxIds: readonly string[]): Promise<void> {
  for (const outboxId of outboxIds) {
    try {
      await getQueue().enqueue(jobs.sendEmail, { outboxId });
    } catch (error) {
      console.error("email: enqueueing email.send failed (the message stays in the outbox)", { outboxId, error });
    }
  }
}
