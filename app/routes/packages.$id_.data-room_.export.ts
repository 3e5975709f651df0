import type { LoaderFunctionArgs } from "@remix-run/node";
import { mimeTypes } from "~/domain/file-types";
import { auditContextFor } from "~/infra/audit.server";
import { requireUser } from "~/infra/auth.server";
import { download, fileResponse } from "~/infra/file-response.server";
import { exportDataRoomXlsx } from "~/services/packages/data-room.server";

/**
 * The data room as an XLSX workbook: loans (always masked) and aggregates. The same access as the
 * data room itself (the service decides); every export is audit-logged.
 */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  return download(user.locale, async () => {
    const file = await exportDataRoomXlsx(auditContextFor(request, user), user, params.id ?? "");
    return fileResponse(file.bytes, { fileName: file.fileName, mimeType: mimeTypes.xlsx });
  });
}
