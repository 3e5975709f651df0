import { describe, expect, it } from "vitest";
import { parseForm } from "~/infra/forms";
import { safeRedirect } from "~/infra/redirect";
import { changePasswordSchema, createUserSchema, loginSchema, organizationSchema } from "~/services/identity/schemas";

const form = (entries: [string, string][]) => {
  const fd = new FormData();
  for (const [k, v] of entries) fd.append(k, v);
  return fd;
};

describe("form parsing shared by browser and server", () => {
  it("reports each bad field with an i18n key and keeps what was typed (but never passwords)", () => {
    const result = parseForm(loginSchema, form([["email", "not-an-email"], ["password", "secret"]]));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.fieldErrors.email).toEqual(["form.invalidEmail"]);
    expect(result.values).toEqual({ email: "not-an-email" });
  });

  it("normalizes the email", () => {
    const result = parseForm(loginSchema, form([["email", "  Admin@Bank.Example "], ["password", "x"]]));
    expect(result.ok && result.data.email).toBe("admin@bank.example");
  });

  it("checkboxes given several times become a list; none at all is an error", () => {
    const base: [string, string][] = [["email", "a@b.example"], ["password", "long-enough-1"], ["displayName", "A"], ["organizationId", "o"], ["locale", "zh-CN"]];
    const two = parseForm(createUserSchema, form([...base, ["roles", "auditor"], ["roles", "finance"]]));
    expect(two.ok && two.data.roles).toEqual(["auditor", "finance"]);
    const none = parseForm(createUserSchema, form(base));
    expect(!none.ok && none.fieldErrors.roles).toEqual(["form.chooseRole"]);
    const bogus = parseForm(createUserSchema, form([...base, ["roles", "root"]]));
    expect(!bogus.ok && bogus.fieldErrors.roles).toEqual(["form.invalidChoice"]);
  });

  it("a new password needs 10 characters and the confirmation must match", () => {
    const short = parseForm(changePasswordSchema, form([["currentPassword", "x"], ["newPassword", "short"], ["confirmPassword", "short"]]));
    expect(!short.ok && short.fieldErrors.newPassword).toEqual(["form.passwordTooShort"]);
    const mismatch = parseForm(changePasswordSchema, form([["currentPassword", "x"], ["newPassword", "long-enough-1"], ["confirmPassword", "long-enough-2"]]));
    expect(!mismatch.ok && mismatch.fieldErrors.confirmPassword).toEqual(["form.passwordMismatch"]);
  });

  it("licence dates must be real calendar dates", () => {
    const bad = parseForm(organizationSchema, form([["name", "X"], ["licenceValidUntil", "2023-02-29"]]));
    expect(!bad.ok && bad.fieldErrors.licenceValidUntil).toEqual(["form.invalidDate"]);
    const good = parseForm(organizationSchema, form([["name", "X"], ["licenceValidUntil", "2024-02-29"]]));
    expect(good.ok && good.data.licenceValidUntil?.toISOString()).toBe("2024-02-29T00:00:00.000Z");
  });

  it("a contact phone is 7–15 digits", () => {
    const bad = parseForm(organizationSchema, form([["name", "X"], ["contactPhone", "12-34"]]));
    expect(!bad.ok && bad.fieldErrors.contactPhone).toEqual(["form.invalidPhone"]);
  });
});

describe("redirects after sign-in stay on this site", () => {
  it.each([
    ["/admin/users", "/admin/users"],
    ["//evil.example", "/"],
    ["https://evil.example", "/"],
    ["/\\evil.example", "/"],
    [undefined, "/"],
  ])("%s → %s", (to, expected) => expect(safeRedirect(to)).toBe(expected));
});
