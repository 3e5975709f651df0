import { data, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { FormError, SubmitButton } from "~/components/forms";
import { useLocale, useT } from "~/components/i18n";
import { TapeStatusBadge } from "~/components/loan-tape";
import { Card, PageTitle, Table, cell } from "~/components/page";
import { UserError } from "~/domain/errors";
import { userErrorState } from "~/infra/action.server";
import { auditContextFor } from "~/infra/audit.server";
import { requirePermission } from "~/infra/auth.server";
import { formatDateTime, formatNumber, isMessageKey } from "~/infra/i18n";
import { redirectWithToast } from "~/infra/session.server";
import { readTapeUpload, recentLoanTapes, submitLoanTape } from "~/services/loans/import.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requirePermission(request, "loans:import");
  return { tapes: await recentLoanTapes(user) };
}

/** Stores the uploaded tape, queues its validation and import, and goes to its page. */
export async function action({ request }: ActionFunctionArgs) {
  const user = await requirePermission(request, "loans:import");
  try {
    const input = await readTapeUpload(request);
    const { id } = await submitLoanTape(auditContextFor(request, user), user, input);
    return redirectWithToast(`/loan-tapes/${id}`, { kind: "success", key: "tape.upload.submitted" });
  } catch (error) {
    if (error instanceof UserError) return data(userErrorState(error), { status: error.status });
    throw error;
  }
}

export default function LoanTapes() {
  const t = useT();
  const locale = useLocale();
  const { tapes } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const fileErrors = actionData && "fieldErrors" in actionData ? actionData.fieldErrors?.file : undefined;
  const fileError = fileErrors?.[0];
  return (
    <>
      <PageTitle
        actions={
          <a href="/loan-tapes/template" download className="rounded border border-slate-300 bg-white px-4 py-2 text-sm font-medium text-slate-800 hover:bg-slate-50" data-testid="tape-template">
            {t("tape.template.download")}
          </a>
        }
      >
        {t("tape.title")}
      </PageTitle>
      <Card title={t("tape.upload.title")} testId="tape-upload">
        <p className="mb-4 max-w-3xl text-sm text-slate-600">{t("tape.upload.hint")}</p>
        <FormError state={actionData && !fileErrors ? actionData : undefined} />
        <Form method="post" encType="multipart/form-data" className="flex flex-wrap items-end gap-4">
          <div>
            <label htmlFor="f-file" className="mb-1 block text-sm font-medium text-slate-700">
              {t("tape.upload.file")}
              <span className="text-red-600"> *</span>
            </label>
            <input
              id="f-file"
              name="file"
              type="file"
              required
              accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
              aria-invalid={fileErrors?.length ? true : undefined}
              aria-describedby={fileErrors?.length ? "f-file-error" : undefined}
              className="block text-sm"
              data-testid="tape-file"
            />
            {fileError ? (
              // Shown here rather than with FieldError: upload errors carry parameters (the size limit).
              <p id="f-file-error" className="mt-1 text-sm text-red-700" role="alert" data-testid="field-error">
                {isMessageKey(fileError) ? t(fileError, actionData?.formErrorParams) : fileError}
              </p>
            ) : null}
          </div>
          <SubmitButton>{t("tape.upload.submit")}</SubmitButton>
        </Form>
      </Card>
      <Card title={t("tape.recent")} testId="tape-list">
        {tapes.length === 0 ? (
          <p className="text-sm text-slate-500">{t("tape.none")}</p>
        ) : (
          <Table
            head={[
              t("tape.field.fileName"), t("tape.field.status"), t("tape.field.uploadedAt"), t("tape.field.uploadedBy"), t("tape.field.rows"),
              t("tape.field.created"), t("tape.field.updated"), t("tape.field.unchanged"), t("tape.field.errors"),
            ]}
          >
            {tapes.map((tape) => (
              <tr key={tape.id} data-testid="tape-row">
                <td className={cell}>
                  <Link to={`/loan-tapes/${tape.id}`} className="text-blue-700 hover:underline">{tape.fileName}</Link>
                </td>
                <td className={cell}><TapeStatusBadge status={tape.status} /></td>
                <td className={`${cell} whitespace-nowrap`}>{formatDateTime(locale, tape.created)}</td>
                <td className={cell}>{tape.uploadedBy ?? "—"}</td>
                <td className={cell}>{formatNumber(locale, tape.counts.rows)}</td>
                <td className={cell}>{tape.status === "imported" ? formatNumber(locale, tape.counts.created) : "—"}</td>
                <td className={cell}>{tape.status === "imported" ? formatNumber(locale, tape.counts.updated) : "—"}</td>
                <td className={cell}>{tape.status === "imported" ? formatNumber(locale, tape.counts.unchanged) : "—"}</td>
                <td className={cell}>{tape.errorCount > 0 ? formatNumber(locale, tape.errorCount) : "—"}</td>
              </tr>
            ))}
          </Table>
        )}
      </Card>
    </>
  );
}
