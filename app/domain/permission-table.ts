import { permissionMatrix, permissions, roles } from "./access";

/** The permission matrix as a Markdown table, for the README (a test keeps the two equal). */
export function permissionTableMarkdown(): string {
  const header = `| permission | ${roles.join(" | ")} |`;
  const rule = `|---|${roles.map(() => ":-:").join("|")}|`;
  const rows = permissions.map(
    (p) => `| \`${p}\` | ${roles.map((r) => (permissionMatrix[r].includes(p) ? "✓" : "")).join(" | ")} |`,
  );
  return [header, rule, ...rows].join("\n");
}
