import path from "node:path";

/** The embedded default: a SQLite file under data/ in the project. */
export const defaultDatabaseUrl = "file:./data/npl.db";

/** `file:./data/npl.db`, `file:/abs/npl.db` or a bare path → an absolute file path (relative to the cwd). */
export function databaseFileFromUrl(url: string): string {
  const withoutScheme = url.startsWith("file:") ? url.slice("file:".length) : url;
  const withoutQuery = withoutScheme.split("?")[0]!;
  return path.resolve(withoutQuery);
}
