import { data, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { SubmitButton } from "~/components/forms";
import { useLocale, useT } from "~/components/i18n";
import { Card, PageTitle, Table, cell } from "~/components/page";
import { UserError } from "~/domain/errors";
import { userErrorState } from "~/infra/action.server";
import { auditContextFor } from "~/infra/audit.server";
import { requirePermission } from "~/infra/auth.server";
import { getEnv } from "~/infra/env.server";
import { formatDateTime } from "~/infra/i18n";
import { redirectWithToast } from "~/infra/session.server";
import { jobOverview, retryFailedJob } from "~/services/jobs/job-admin.server";

export async function loader({ request }: LoaderFunctionArgs) {
  await requirePermission(request, "users:manage");
  return { ...(await jobOverview()), runner: getEnv().redisUrl ? "bullmq" : "in-process" };
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requirePermission(request, "users:manage");
  const formData = await request.formData();
  try {
    await retryFailedJob(auditContextFor(request, user), String(formData.get("name") ?? ""), String(formData.get("jobId") ?? ""));
  } catch (error) {
    if (error instanceof UserError) return data(userErrorState(error), { status: error.status });
    throw error;
  }
  return redirectWithToast("/admin/jobs", { kind: "success", key: "jobs.retried" });
}

export default function Jobs() {
  const t = useT();
  const locale = useLocale();
  const { counts, failed, runner } = useLoaderData<typeof loader>();
  return (
    <>
      <PageTitle>{t("jobs.title")}</PageTitle>
      <p className="mb-4 text-sm text-slate-600">{t(runner === "bullmq" ? "jobs.runnerBullmq" : "jobs.runnerInProcess")}</p>
      <Card>
        <Table testId="job-counts" head={[t("jobs.name"), t("jobs.waiting"), t("jobs.active"), t("jobs.delayed"), t("jobs.completed"), t("jobs.failed")]}>
          {Object.entries(counts).map(([name, c]) => (
            <tr key={name}>
              <td className={cell}><code>{name}</code></td>
              <td className={cell}>{c.waiting}</td>
              <td className={cell}>{c.active}</td>
              <td className={cell}>{c.delayed}</td>
              <td className={cell}>{c.completed}</td>
              <td className={cell}>{c.failed}</td>
            </tr>
          ))}
        </Table>
      </Card>
      <Card title={t("jobs.failedJobs")} testId="failed-jobs">
        <Table head={[t("jobs.name"), "ID", t("jobs.failedAt"), t("jobs.attempts"), t("jobs.error"), ""]}>
          {Object.entries(failed).flatMap(([name, list]) =>
            list.map((j) => (
              <tr key={`${name}-${j.id}`}>
                <td className={cell}><code>{name}</code></td>
                <td className={cell}><code className="text-xs">{j.id}</code></td>
                <td className={cell}>{formatDateTime(locale, new Date(j.timestamp))}</td>
                <td className={cell}>{j.attemptsMade}</td>
                <td className={`${cell} text-red-700`}>{j.failedReason}</td>
                <td className={cell}>
                  <Form method="post">
                    <input type="hidden" name="name" value={name} />
                    <input type="hidden" name="jobId" value={j.id} />
                    <SubmitButton variant="secondary">{t("jobs.retry")}</SubmitButton>
                  </Form>
                </td>
              </tr>
            )),
          )}
        </Table>
        {Object.values(failed).every((l) => l.length === 0) ? <p className="py-4 text-sm text-slate-500">{t("jobs.noFailed")}</p> : null}
      </Card>
    </>
  );
}
