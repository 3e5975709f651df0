import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { UserError } from "~/domain/errors";
import { apiHandler, apiJson, postedJson, requireApiPermission } from "~/infra/api.server";
import { auditContextFor } from "~/infra/audit.server";
import { defaultMaxBytes } from "~/infra/files.server";
import { apiActivity, collectionActivityListSchema, collectionActivitySchema } from "~/services/api/openapi-custody-work";
import { activityView, listActivities, recordActivity } from "~/services/custody/activities.server";
import { activityRequestSchema } from "~/services/custody/activity-schemas";

/** GET /api/v1/custody/loans/{loanNumber}/activities (custody:work): the activity log, newest first. */
export const loader = apiHandler(async ({ request, params }: LoaderFunctionArgs) => {
  const user = await requireApiPermission(request, "custody:work");
  const items = await listActivities(user, params.loanNumber ?? "");
  return apiJson(collectionActivityListSchema.parse({ items: items.map(apiActivity) }));
});

/** base64 → bytes, refusing what is not base64 or is larger than an upload may be. */
function decodeEvidence(content: string): Uint8Array {
  const clean = content.replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean) || clean.length % 4 !== 0) throw new UserError("custody.activity.invalidEvidence", { field: "evidence" });
  if ((clean.length / 4) * 3 > defaultMaxBytes + 2) {
    throw new UserError("files.tooLarge", { field: "evidence", params: { max: `${defaultMaxBytes / (1024 * 1024)} MB` }, status: 413 });
  }
  return new Uint8Array(Buffer.from(clean, "base64"));
}

/**
 * POST /api/v1/custody/loans/{loanNumber}/activities (custody:work): JSON, the evidence base64
 * inline. A contact the conduct rules forbid: 422 with the rule's code; nothing recorded but the attempt.
 */
export const action = apiHandler(async ({ request, params }: ActionFunctionArgs) => {
  const user = await requireApiPermission(request, "custody:work");
  const body = activityRequestSchema.parse(await postedJson(request, user, "GET, POST"));
  const evidence = body.evidence ? { bytes: decodeEvidence(body.evidence.content_base64), originalName: body.evidence.file_name } : null;
  const row = await recordActivity(auditContextFor(request, user), user, params.loanNumber ?? "", {
    kind: body.kind,
    party: body.party ?? null,
    at: body.at ? new Date(body.at) : null,
    effective: body.effective,
    outcome: body.outcome,
    note: body.note ?? null,
    evidence,
  });
  return apiJson(collectionActivitySchema.parse(apiActivity(await activityView(row))), { status: 201 });
});
