import { beforeEach, describe, expect, it } from "vitest";
import { seed } from "../../prisma/seed";
import { resetDatabase } from "../support/reset-db";
import { systemContext } from "~/infra/audit.server";
import { getUser, type AuthUser } from "~/infra/auth.server";
import { prisma } from "~/infra/db.server";
import { changePassword, logoutEverywhere } from "~/services/identity/account.server";
import { login, loginPolicy } from "~/services/identity/login.server";
import { eligibilityOf, getOrganizationFor } from "~/services/identity/organizations.server";
import { createUser, setUserDisabled, updateUser } from "~/services/identity/users.server";
import { refusal } from "../support/users";

const password = "Demo@12345";
const ctx = systemContext("test");
let ip = 0;
/** Each test signs in from its own address so the per-address brake never interferes. */
const request = (cookie?: string) =>
  new Request("http://localhost/", { headers: { "X-Forwarded-For": `10.0.0.${++ip % 250}`, ...(cookie ? { Cookie: cookie } : {}) } });
const cookieOf = (setCookie: string) => setCookie.split(";")[0]!;

async function signIn(email: string, pw = password) {
  const result = await login({ email, password: pw }, request());
  const user = await getUser(request(cookieOf(result.setCookie)));
  return { cookie: cookieOf(result.setCookie), user: user! };
}


beforeEach(async () => {
  resetDatabase();
  await seed();
});

describe("password sign-in", () => {
  it("a right password starts a database session the cookie points to", async () => {
    const { user } = await signIn("officer@bank.example");
    expect(user.roles).toEqual(["preservation_officer"]);
    expect(await prisma.session.count({ where: { userId: user.id, revokedAt: null } })).toBe(1);
  });

  it("a wrong password or an unknown email is refused with the same message", async () => {
    expect((await refusal(login({ email: "officer@bank.example", password: "nope" }, request()))).key).toBe("login.invalid");
    expect((await refusal(login({ email: "nobody@bank.example", password: "nope" }, request()))).key).toBe("login.invalid");
  });

  it(`the ${loginPolicy.maxFailures}th failure in a row locks the account for ${loginPolicy.lockMinutes} minutes, even for the right password`, async () => {
    const now = new Date("2026-11-22T09:00:00Z");
    for (let i = 1; i < loginPolicy.maxFailures; i++) {
      expect((await refusal(login({ email: "bidder@bank.example", password: "wrong" }, request(), now))).key).toBe("login.invalid");
    }
    const locked = await refusal(login({ email: "bidder@bank.example", password: "wrong" }, request(), now));
    expect(locked.key).toBe("login.locked");
    expect(locked.options.params?.lockedUntil).toBe("2026-11-22T09:15:00.000Z");
    const stillLocked = await refusal(login({ email: "bidder@bank.example", password }, request(), new Date("2026-11-22T09:14:59Z")));
    expect(stillLocked.key).toBe("login.locked");
    const after = await login({ email: "bidder@bank.example", password }, request(), new Date("2026-11-22T09:15:00Z"));
    expect(after.setCookie).toContain("npl_session=");
  });

  it("a success resets the failure count", async () => {
    for (let i = 1; i < loginPolicy.maxFailures; i++) await refusal(login({ email: "clerk@bank.example", password: "wrong" }, request()));
    await login({ email: "clerk@bank.example", password }, request());
    expect((await prisma.user.findUniqueOrThrow({ where: { email: "clerk@bank.example" } })).failedLoginCount).toBe(0);
  });
});

describe("sessions can be ended", () => {
  it("log out everywhere ends every session of the user", async () => {
    const first = await signIn("finance@bank.example");
    const second = await signIn("finance@bank.example");
    await logoutEverywhere(ctx, first.user.id);
    expect(await getUser(request(first.cookie))).toBeNull();
    expect(await getUser(request(second.cookie))).toBeNull();
  });

  it("disabling a user ends their sessions at once and blocks sign-in", async () => {
    const admin = await signIn("admin@bank.example");
    const member = await signIn("member@huaxin.example");
    await setUserDisabled(ctx, admin.user, member.user.id, true);
    expect(await getUser(request(member.cookie))).toBeNull();
    expect((await refusal(login({ email: "member@huaxin.example", password }, request()))).key).toBe("login.disabled");
    const entry = await prisma.auditEntry.findFirstOrThrow({ where: { action: "user.disable", entityId: member.user.id } });
    expect(JSON.parse(entry.after!)).toMatchObject({ sessionsEnded: 1 });
  });

  it("an admin cannot disable themselves", async () => {
    const admin = await signIn("admin@bank.example");
    expect((await refusal(setUserDisabled(ctx, admin.user, admin.user.id, true))).key).toBe("users.cannotDisableSelf");
  });

  it("changing the password keeps this session and ends the others", async () => {
    const here = await signIn("auditor@bank.example");
    const elsewhere = await signIn("auditor@bank.example");
    await changePassword(ctx, here.user, { currentPassword: password, newPassword: "N3w-password!" });
    expect(await getUser(request(here.cookie))).not.toBeNull();
    expect(await getUser(request(elsewhere.cookie))).toBeNull();
    expect((await refusal(login({ email: "auditor@bank.example", password }, request()))).key).toBe("login.invalid");
    await login({ email: "auditor@bank.example", password: "N3w-password!" }, request());
  });

  it("a wrong current password changes nothing", async () => {
    const here = await signIn("auditor@bank.example");
    const before = await prisma.user.findUniqueOrThrow({ where: { id: here.user.id } });
    const error = await refusal(changePassword(ctx, here.user, { currentPassword: "wrong", newPassword: "N3w-password!" }));
    expect(error.options.field).toBe("currentPassword");
    expect((await prisma.user.findUniqueOrThrow({ where: { id: here.user.id } })).passwordHash).toBe(before.passwordHash);
  });
});

describe("user administration", () => {
  let admin: AuthUser;
  let bankId: string;
  let huaxinId: string;
  beforeEach(async () => {
    admin = (await signIn("admin@bank.example")).user;
    bankId = (await prisma.organization.findFirstOrThrow({ where: { kind: "BANK" } })).id;
    huaxinId = (await prisma.organization.findUniqueOrThrow({ where: { name: "华信资产清收有限公司" } })).id;
  });
  const base = () => ({
    email: "new@bank.example", password: "Long-enough-1", displayName: "新员工", organizationId: bankId, branchId: null,
    staffNumber: "S9001", position: "客户经理", employmentStatus: "ON_PAYROLL" as const, locale: "zh-CN" as const,
    roles: ["internal_bidder" as const],
  });

  it("creates a bank user with several roles", async () => {
    const user = await createUser(ctx, { ...base(), roles: ["internal_bidder", "branch_clerk"] });
    const roles = await prisma.userRole.findMany({ where: { userId: user.id } });
    expect(roles.map((r) => r.role).sort()).toEqual(["branch_clerk", "internal_bidder"]);
  });

  it("refuses an agency role in the bank and a bank role in an agency", async () => {
    expect((await refusal(createUser(ctx, { ...base(), roles: ["agency_member"] }))).key).toBe("users.roleNotForOrg");
    expect((await refusal(createUser(ctx, { ...base(), organizationId: huaxinId, staffNumber: null, roles: ["auditor"] }))).key).toBe("users.roleNotForOrg");
    expect(await prisma.user.count({ where: { email: "new@bank.example" } })).toBe(0);
  });

  it("refuses a duplicate email or staff number, and bank staff without a staff number", async () => {
    expect((await refusal(createUser(ctx, { ...base(), email: "officer@bank.example" }))).key).toBe("users.emailTaken");
    expect((await refusal(createUser(ctx, { ...base(), staffNumber: "S0101" }))).key).toBe("users.staffNumberTaken");
    expect((await refusal(createUser(ctx, { ...base(), staffNumber: null }))).key).toBe("users.staffNumberRequired");
  });

  it("an admin cannot remove their own admin role", async () => {
    const self = await prisma.user.findUniqueOrThrow({ where: { id: admin.id }, include: { roles: true } });
    const error = await refusal(
      updateUser(ctx, admin, admin.id, {
        email: self.email, displayName: self.displayName, organizationId: self.organizationId, branchId: null,
        staffNumber: self.staffNumber, position: self.position, employmentStatus: "ON_PAYROLL", locale: "zh-CN", roles: ["auditor"],
      }),
    );
    expect(error.key).toBe("users.cannotDropOwnAdmin");
  });
});

describe("an agency sees only its own organization", () => {
  it("an agency member opens their agency and is refused another", async () => {
    const member = (await signIn("member@huaxin.example")).user;
    const anda = await prisma.organization.findUniqueOrThrow({ where: { name: "安达债权管理有限公司" } });
    const own = await getOrganizationFor(member, member.organizationId);
    expect(own.users.map((u) => u.email).sort()).toEqual(["admin@huaxin.example", "member@huaxin.example"]);
    await expect(getOrganizationFor(member, anda.id)).rejects.toMatchObject({ status: 403 });
  });
});

describe("seeded eligibility situations (R3)", () => {
  it.each([
    ["bidder@bank.example", true, []],
    ["retiree@bank.example", true, []],
    ["president@bank.example", false, ["position_excluded"]],
    ["areaauditor@bank.example", false, ["position_excluded"]],
    ["member@huaxin.example", true, []],
    ["admin@jiuding.example", false, ["licence_expires_before_term_end"]],
  ])("%s eligible: %s %j", async (email, eligible, reasons) => {
    const user = await prisma.user.findUniqueOrThrow({ where: { email } });
    const { result } = await eligibilityOf(user.id, new Date("2026-11-22T00:00:00Z"));
    expect(result.eligible).toBe(eligible);
    if (!result.eligible) expect(result.reasons).toEqual(reasons);
  });
});

describe("demo seed", () => {
  it("running it again duplicates nothing", async () => {
    const before = await prisma.user.count();
    expect(await seed()).toBe("already-seeded");
    expect(await prisma.user.count()).toBe(before);
  });

  it("has the bank with at least 4 branches in at least 3 regions and one user per role", async () => {
    const branches = await prisma.branch.findMany();
    expect(branches.length).toBeGreaterThanOrEqual(4);
    expect(new Set(branches.map((b) => b.region)).size).toBeGreaterThanOrEqual(3);
    const held = new Set((await prisma.userRole.findMany()).map((r) => r.role));
    for (const role of ["admin", "preservation_officer", "approver", "auditor", "finance", "branch_clerk", "internal_bidder", "agency_admin", "agency_member"]) {
      expect(held).toContain(role);
    }
  });
});
