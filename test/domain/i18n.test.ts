import { describe, expect, it } from "vitest";
import { en } from "~/locales/en";
import { zhCN } from "~/locales/zh-CN";
import { formatCny, translator } from "~/infra/i18n";
import { roles, permissions } from "~/domain/access";

describe("message catalogs", () => {
  it("English has exactly the Chinese keys", () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(zhCN).sort());
  });
  it("every message keeps the same placeholders in both languages", () => {
    for (const key of Object.keys(zhCN) as (keyof typeof zhCN)[]) {
      const names = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      expect(names(en[key]), key).toEqual(names(zhCN[key]));
    }
  });
  it("every role and permission has a label", () => {
    for (const r of roles) expect(zhCN).toHaveProperty(`role.${r}`);
    for (const p of permissions) expect(zhCN).toHaveProperty(`perm.${p}`);
  });
  it("Chinese is the language of the product, English the alternative", () => {
    expect(translator("zh-CN")("login.title")).toBe("登录");
    expect(translator("en")("login.title")).toBe("Sign in");
    expect(translator("en")("home.welcome", { name: "Wang" })).toBe("Hello, Wang");
  });
});

describe("¥ formatting from fen (exact, no floats)", () => {
  it.each([
    [123456n, "¥1,234.56"],
    [5n, "¥0.05"],
    [-1999n, "-¥19.99"],
    [900719925474099312n, "¥9,007,199,254,740,993.12"],
  ])("%s fen → %s", (fen, text) => {
    expect(formatCny("zh-CN", fen)).toBe(text);
    expect(formatCny("en", fen)).toBe(text);
  });
});
