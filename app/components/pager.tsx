import { Link } from "@remix-run/react";
import { useT } from "./i18n";

/** "Page 2 of 5, 230 in all" with previous/next links; `link(n)` builds the address of page n (keeping the filters). */
export function Pager({ page, pages, total, link }: { page: number; pages: number; total: number; link: (page: number) => string }) {
  const t = useT();
  return (
    <div className="mt-4 flex items-center justify-between text-sm text-slate-600" data-testid="pager">
      <span>{t("common.page", { page, pages, total })}</span>
      <span className="flex gap-3">
        {page > 1 ? <Link to={link(page - 1)} className="text-blue-700 hover:underline">{t("common.previous")}</Link> : null}
        {page < pages ? <Link to={link(page + 1)} className="text-blue-700 hover:underline">{t("common.next")}</Link> : null}
      </span>
    </div>
  );
}
