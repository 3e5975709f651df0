import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { UserError } from "~/domain/errors";
import { apiHandler, apiJson, postedJson, requireApiPermission } from "~/infra/api.server";
import { auditContextFor } from "~/infra/audit.server";
import { defaultMaxBytes } from "~/infra/files.server";
import { apiRecovery, recoveryListQuerySchema, recoveryListSchema, recoveryRequestSchema, recoverySchema } from "~/services/api/openapi-settlement-recoveries";
import { getRecovery, listRecoveries, reportRecovery, yuanInput } from "~/services/settlement/recoveries.server";

/** GET /api/v1/recoveries (settlement:view): a custodian its own recoveries, the bank every one. */
export const loader = apiHandler(async ({ request }: LoaderFunctionArgs) => {
  const user = await requireApiPermission(request, "settlement:view");
  const query = recoveryListQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const items = await listRecoveries(user, { status: query.status, contractId: query.contract_id });
  return apiJson(recoveryListSchema.parse({ items: items.map(apiRecovery) }));
});

/** base64 → bytes, refusing what is not base64 or is larger than an upload may be. */
function decodeEvidence(content: string): Uint8Array {
  const clean = content.replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean) || clean.length % 4 !== 0) throw new UserError("settlement.recoveries.invalidEvidence", { field: "evidence" });
  if ((clean.length / 4) * 3 > defaultMaxBytes + 2) {
    throw new UserError("files.tooLarge", { field: "evidence", params: { max: `${defaultMaxBytes / (1024 * 1024)} MB` }, status: 413 });
  }
  return new Uint8Array(Buffer.from(clean, "base64"));
}

/** POST /api/v1/recoveries (custody:work): report a recovery, the evidence base64 inline. */
export const action = apiHandler(async ({ request }: ActionFunctionArgs) => {
  const user = await requireApiPermission(request, "custody:work");
  const body = recoveryRequestSchema.parse(await postedJson(request, user, "GET, POST"));
  const row = await reportRecovery(auditContextFor(request, user), user, {
    loanNumber: body.loan_number, collectedOn: body.collected_on,
    principal: yuanInput(body.principal, "principal", true), interest: yuanInput(body.interest, "interest", true),
    payer: body.payer, note: body.note ?? null,
    evidence: { bytes: decodeEvidence(body.evidence.content_base64), originalName: body.evidence.file_name },
  });
  return apiJson(recoverySchema.parse(apiRecovery(await getRecovery(user, row.id))), { status: 201 });
});
