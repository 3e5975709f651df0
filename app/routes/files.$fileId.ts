import type { LoaderFunctionArgs } from "@remix-run/node";
import { auditContextFor } from "~/infra/audit.server";
import { notFound, requireUser } from "~/infra/auth.server";
import { fileResponse } from "~/infra/file-response.server";
import { downloadFile } from "~/services/loans/limitation.server";

/**
 * A stored file (interruption or collection-activity evidence), for those who may see it (the bank, or
 * the loan's custodian during the term); each download is audited.
 * Unknown and invisible files are both a 404.
 */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const file = await downloadFile(auditContextFor(request, user), user, params.fileId ?? "");
  if (!file) throw notFound();
  return fileResponse(file.bytes, { fileName: file.row.originalName, mimeType: file.row.mimeType });
}
