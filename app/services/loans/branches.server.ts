import { can } from "~/domain/access";
import { UserError } from "~/domain/errors";
import { prisma } from "~/infra/db.server";

/** The bank's branches a loan tape may name (by code or name), for loan-book and import users. */
export async function listBranches(user: { roles: string[] }): Promise<{ code: string; name: string; region: string }[]> {
  if (!can(user.roles, "loans:view") && !can(user.roles, "loans:import")) throw new UserError("api.forbidden", { status: 403 });
  return prisma.branch.findMany({ orderBy: { code: "asc" }, select: { code: true, name: true, region: true } });
}
