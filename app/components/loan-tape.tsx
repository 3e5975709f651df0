import { useT } from "~/components/i18n";
import { Badge } from "~/components/page";
import type { MessageKey } from "~/infra/i18n";

export type TapeStatus = "processing" | "rejected" | "imported" | "failed";

/** A loan tape's status as a coloured badge in the reader's language. */
export function TapeStatusBadge({ status }: { status: TapeStatus }) {
  const t = useT();
  const tone = status === "imported" ? "green" : status === "processing" ? "blue" : status === "rejected" ? "amber" : "red";
  return (
    <span data-testid="tape-status" data-status={status}>
      <Badge tone={tone}>{t(`tape.status.${status}` as MessageKey)}</Badge>
    </span>
  );
}
