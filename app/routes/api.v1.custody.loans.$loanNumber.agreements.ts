import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiError, apiHandler, apiJson, postedJson, requireApiPermission, requireApiUser } from "~/infra/api.server";
import { auditContextFor } from "~/infra/audit.server";
import { isMessageKey, translator } from "~/infra/i18n";
import { agreementViewSchema, apiAgreementView, apiRecordedAgreement, recordAgreementResultSchema } from "~/services/api/openapi-custody-agreements";
import { instalmentsFromApi, recordAgreementRequestSchema } from "~/services/custody/agreement-schemas";
import { AgreementRefused, agreementView, recordAgreement } from "~/services/custody/agreements.server";

/**
 * GET /api/v1/custody/loans/{loanNumber}/agreements: the loan's agreements (custodian during the
 * term; the department read-only; anyone else 404).
 * POST: record one `{ "signed_on", "instalments": [{ "due_on", "principal", "interest" }], "reason"? }`
 * (custody:work, the custodian). A refused schedule lists every problem in `fields.instalments`.
 */
export const loader = apiHandler(async ({ request, params }: LoaderFunctionArgs) => {
  const user = await requireApiUser(request);
  const view = await agreementView(user, params.loanNumber ?? "", new Date());
  return apiJson(agreementViewSchema.parse(apiAgreementView(view)));
});

export const action = apiHandler(async ({ request, params }: ActionFunctionArgs) => {
  const user = await requireApiPermission(request, "custody:work");
  const body = recordAgreementRequestSchema.parse(await postedJson(request, user, "GET, POST"));
  try {
    const recorded = await recordAgreement(
      auditContextFor(request, user), user, params.loanNumber ?? "",
      { signedOn: body.signed_on, instalments: instalmentsFromApi(body.instalments), reason: body.reason ?? null },
      new Date(),
    );
    return apiJson(recordAgreementResultSchema.parse(apiRecordedAgreement(recorded)), { status: 201 });
  } catch (error) {
    if (!(error instanceof AgreementRefused)) throw error;
    const t = translator(user.locale);
    const text = (key: string, p: Record<string, string | number>) => (isMessageKey(key) ? t(key, p) : key);
    const first = error.problems[0]!;
    return apiError(400, first.key, text(first.key, first.params), { instalments: error.problems.map((p) => text(p.key, p.params)) }, undefined, first.params);
  }
});
