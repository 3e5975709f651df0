import type { LoaderFunctionArgs } from "@remix-run/node";
import { auditContextFor } from "~/infra/audit.server";
import { requireUser } from "~/infra/auth.server";
import { download, fileResponse } from "~/infra/file-response.server";
import { downloadDocument } from "~/services/packages/data-room.server";

/**
 * A data-room document, for those who may open the package's data room (the department; a bidder
 * only while the package is in a tender it is eligible for, after the undertaking). Each download is
 * audited by the service.
 */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  return download(user.locale, async () => {
    const file = await downloadDocument(auditContextFor(request, user), user, params.id ?? "", params.docId ?? "");
    return fileResponse(file.bytes, file);
  });
}
