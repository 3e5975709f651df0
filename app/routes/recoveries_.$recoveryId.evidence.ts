import type { LoaderFunctionArgs } from "@remix-run/node";
import { auditContextFor } from "~/infra/audit.server";
import { notFound, requirePermission } from "~/infra/auth.server";
import { fileResponse } from "~/infra/file-response.server";
import { recoveryEvidence } from "~/services/settlement/recoveries.server";

/**
 * /recoveries/:recoveryId/evidence — the receipt a custodian uploaded with a recovery, for whoever may
 * see the recovery (its custodian, the bank); each download is audited. Anyone else: 404.
 */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requirePermission(request, "settlement:view");
  const file = await recoveryEvidence(auditContextFor(request, user), user, params.recoveryId ?? "");
  if (!file) throw notFound();
  return fileResponse(file.bytes, { fileName: file.row.originalName, mimeType: file.row.mimeType });
}
