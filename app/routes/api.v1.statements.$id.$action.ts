import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { UserError } from "~/domain/errors";
import { apiHandler, apiJson, methodNotAllowed, postedJson, requireApiPermission, requireApiUser } from "~/infra/api.server";
import { auditContextFor } from "~/infra/audit.server";
import { apiStatement, invoiceRequestSchema, payRequestSchema, statementSchema } from "~/services/api/openapi-settlement-statements";
import { payStatement } from "~/services/settlement/statement-payment.server";
import { statementDetail } from "~/services/settlement/statement-views.server";
import { takeStatementStep } from "~/services/settlement/statement-workflow.server";

/**
 * POST /api/v1/statements/{id}/{submit|verify|review|invoice|pay}: one workflow step (R9, four-eyes).
 * submit, verify and review take no body (`{}` or none); invoice `{ "invoice_number" }`; pay
 * `{ "method", "reference"? }`. Any other action: 404.
 */
export const action = apiHandler(async ({ request, params }: ActionFunctionArgs) => {
  const user = await requireApiPermission(request, "settlement:view");
  const id = params.id ?? "";
  const ctx = auditContextFor(request, user);
  const step = params.action ?? "";
  if (!["submit", "verify", "review", "invoice", "pay"].includes(step)) throw new UserError("settlement.statements.unknownAction", { status: 404 });
  if (request.method !== "POST") return methodNotAllowed(user.locale);
  switch (step) {
    case "submit":
    case "verify":
    case "review":
      await takeStatementStep(ctx, user, id, step);
      break;
    case "invoice": {
      const body = invoiceRequestSchema.parse(await postedJson(request, user));
      await takeStatementStep(ctx, user, id, "record_invoice", { invoiceNumber: body.invoice_number });
      break;
    }
    default: {
      const body = payRequestSchema.parse(await postedJson(request, user));
      await payStatement(ctx, user, id, { method: body.method, reference: body.reference ?? "" });
    }
  }
  return apiJson(statementSchema.parse(apiStatement(await statementDetail(user, id))));
});

export const loader = apiHandler(async ({ request }: LoaderFunctionArgs) => {
  const user = await requireApiUser(request);
  return methodNotAllowed(user.locale);
});
