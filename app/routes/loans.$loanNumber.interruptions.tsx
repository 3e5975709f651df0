import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { can } from "~/domain/access";
import { UserError } from "~/domain/errors";
import { auditContextFor } from "~/infra/audit.server";
import { forbidden, requirePermission, requireUser } from "~/infra/auth.server";
import { defaultMaxBytes } from "~/infra/files.server";
import { isMessageKey } from "~/infra/i18n";
import { formDataOf, readLimitedBody } from "~/infra/request-body.server";
import { redirectWithToast } from "~/infra/session.server";
import { decideInterruption, recordInterruption } from "~/services/loans/limitation.server";

/** Room for the form's other fields and the multipart boundaries around a file of the largest size. */
const maxBodyBytes = defaultMaxBytes + 64 * 1024;

const tooLarge = () => new UserError("files.tooLarge", { field: "evidence", params: { max: `${defaultMaxBytes / (1024 * 1024)} MB` }, status: 413 });

/** Recording and deciding interruptions post here; a GET goes to the loan page. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireUser(request);
  return redirect(`/loans/${encodeURIComponent(params.loanNumber ?? "")}`);
}

export async function action({ request, params }: ActionFunctionArgs) {
  const loanNumber = params.loanNumber ?? "";
  const back = `/loans/${encodeURIComponent(loanNumber)}`;
  // Signed in and on the loan book; each intent then checks its own permission.
  const user = await requirePermission(request, "loans:view");
  try {
    const formData = await formDataOf(request, await readLimitedBody(request, maxBodyBytes, tooLarge));
    const intent = formData.get("intent");
    if (intent === "record") {
      if (!can(user.roles, "loans:record-interruption")) throw forbidden();
      const file = formData.get("evidence");
      let evidence: { bytes: Uint8Array; originalName: string } | null = null;
      if (file instanceof File && file.size > 0) {
        if (file.size > defaultMaxBytes) throw tooLarge();
        evidence = { bytes: new Uint8Array(await file.arrayBuffer()), originalName: file.name };
      }
      await recordInterruption(auditContextFor(request, user), user, loanNumber, {
        kind: String(formData.get("kind") ?? ""),
        occurredOn: String(formData.get("occurredOn") ?? ""),
        note: String(formData.get("note") ?? ""),
        evidence,
      });
      return redirectWithToast(back, { kind: "success", key: "interruption.recorded" });
    }
    if (intent === "decide") {
      if (!can(user.roles, "loans:manage")) throw forbidden();
      const decision = String(formData.get("decision") ?? "");
      if (decision !== "verify" && decision !== "reject") throw new UserError("interruption.invalidDecision");
      await decideInterruption(auditContextFor(request, user), user, String(formData.get("id") ?? ""), {
        decision,
        note: String(formData.get("note") ?? ""),
      });
      return redirectWithToast(back, { kind: "success", key: decision === "verify" ? "interruption.verified" : "interruption.rejected" });
    }
    throw new UserError("interruption.invalidIntent");
  } catch (error) {
    if (error instanceof UserError) {
      return redirectWithToast(back, { kind: "error", key: isMessageKey(error.key) ? error.key : "interruption.failed", params: error.options.params });
    }
    throw error;
  }
}
