import { Link, useLocation } from "@remix-run/react";
import { useT } from "./i18n";

/** "Page 2 of 5, 230 in all" with previous/next links that keep the page's other query parameters (its filters). */
export function Pager({ page, pages, total }: { page: number; pages: number; total: number }) {
  const t = useT();
  const { search } = useLocation();
  const link = (n: number) => {
    const params = new URLSearchParams(search);
    params.set("page", String(n));
    return `?${params.toString()}`;
  };
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
