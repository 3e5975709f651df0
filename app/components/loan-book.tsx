import type { MessageKey, Translate } from "~/infra/i18n";
import { Badge } from "./page";

/** Shared bits of the loan book's pages: labels of enumerated values and the difficulty-status badge. */

export function enumLabel(t: Translate, group: string, value: string | null | undefined): string {
  if (value === null || value === undefined || value === "") return t("common.none");
  return t(`loans.${group}.${value}` as MessageKey);
}

const tones = { SUGGESTED: "amber", CONFIRMED: "green", OVERRIDDEN: "blue", TAPE: "slate" } as const;

export function DifficultyStatusBadge({ t, status }: { t: Translate; status: string }) {
  return <Badge tone={tones[status as keyof typeof tones] ?? "slate"}>{enumLabel(t, "difficultyStatus", status)}</Badge>;
}
