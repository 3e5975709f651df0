import type { LoaderFunctionArgs } from "@remix-run/node";
import { notFound, requireUser } from "~/infra/auth.server";
import { prisma } from "~/infra/db.server";
import { subscribe } from "~/infra/live-events.server";
import { eventStream } from "~/infra/sse.server";
import { canWatchLot, lotChannel } from "~/services/tenders/bidding.server";

/**
 * Live events of one lot (server-sent events): "bid.accepted" and "lot.closed" as they are published
 * on `lot:<lotId>` (through Redis with REDIS_URL, so every web process's watchers get them). Events are
 * hints: the page reloads the lot's state on (re)connect; the first frame is "ready" with the server's
 * time. Officers (tenders:manage) and bidders (tenders:bid) the tender is open to; others get a 404.
 */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const lotId = params.lotId ?? "";
  const lot = await prisma.tenderLot.findUnique({ where: { id: lotId }, select: { tenderId: true } });
  if (!lot || lot.tenderId !== params.tenderId || !(await canWatchLot(user, lotId))) throw notFound();
  return eventStream(request, async (send) => {
    const unsubscribe = subscribe(lotChannel(lotId), (event) => send({ event: event.type, data: event.data, id: event.id }));
    await unsubscribe.ready;
    send({ event: "ready", data: { lotId, serverTime: new Date().toISOString() } });
    return unsubscribe;
  });
}
