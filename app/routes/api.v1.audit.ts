import type { LoaderFunctionArgs } from "@remix-run/node";
import { apiHandler, apiJson, requireApiPermission } from "~/infra/api.server";
import { auditPageSchema, auditQuerySchema } from "~/services/api/openapi";
import { auditPageSize, searchAuditLog } from "~/services/audit/audit-log.server";

const parseJson = (text: string | null): unknown => {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
};

/** GET /api/v1/audit: the audit log, newest first, with the audit page's filters (auditors and admins). */
export const loader = apiHandler(async ({ request }: LoaderFunctionArgs) => {
  await requireApiPermission(request, "audit:view");
  const filter = auditQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const result = await searchAuditLog(filter);
  return apiJson(
    auditPageSchema.parse({
      items: result.entries.map((e) => ({
        id: e.id,
        at: e.at.toISOString(),
        actor_type: e.actorType,
        actor_id: e.actorId,
        actor_label: e.actorLabel,
        organization_id: e.organizationId,
        action: e.action,
        entity_type: e.entityType,
        entity_id: e.entityId,
        before: parseJson(e.before),
        after: parseJson(e.after),
        request_id: e.requestId,
        ip: e.ip,
        hash: e.hash,
      })),
      page: filter.page,
      page_size: auditPageSize,
      total: result.total,
      pages: result.pages,
    }),
  );
});
