import { describe, expect, it } from "vitest";
import { creditCodeCheckCharacter, creditCodeProblem, isValidCreditCode, isValidPhone, isValidResidentId, normalizeIdNumber, residentIdCheckCharacter, residentIdProblem } from "~/domain/identity-numbers";
import { maskBorrowerName, maskIdNumber, maskPersonName, maskPhone } from "~/domain/masking";

describe("resident ID numbers (GB 11643)", () => {
  it("accepts a number whose check character matches, with X and lower-case x", () => {
    expect(isValidResidentId("11010519491231002X")).toBe(true);
    expect(isValidResidentId(normalizeIdNumber(" 11010519491231002x "))).toBe(true);
    expect(residentIdCheckCharacter("11010519491231002")).toBe("X");
  });
  it("names what is wrong", () => {
    expect(residentIdProblem("110105194912310021")).toBe("checksum");
    expect(residentIdProblem("110105194902300021")).toBe("birthDate");
    expect(residentIdProblem("11010519491231002")).toBe("format");
    expect(residentIdProblem("1101051949123100AB")).toBe("format");
  });
});

describe("unified social credit codes (GB 32100)", () => {
  it("accepts a code with the right check character", () => {
    expect(isValidCreditCode("91350100M000100Y43")).toBe(true);
    expect(creditCodeCheckCharacter("91350100M000100Y4")).toBe("3");
  });
  it("refuses a wrong check character and letters outside the code set", () => {
    expect(creditCodeProblem("91350100M000100Y44")).toBe("checksum");
    expect(creditCodeProblem("91350100I000100Y43")).toBe("format");
    expect(creditCodeProblem("91350100M000100Y4")).toBe("format");
  });
});

describe("phones", () => {
  it.each([["1234567", true], ["13812345678", true], ["123456", false], ["1234567890123456", false], ["138-1234-5678", false]])("%s → %s", (p, ok) => {
    expect(isValidPhone(p)).toBe(ok);
  });
});

describe("masking (shown everywhere by default)", () => {
  it("masks the way the issue shows it", () => {
    expect(maskPersonName("王小明")).toBe("王*明");
    expect(maskIdNumber("110105199001011234")).toBe("110105********1234");
    expect(maskPhone("13812345678")).toBe("138****5678");
  });
  it("masks short and long names and phones", () => {
    expect(maskPersonName("王明")).toBe("王*");
    expect(maskPersonName("欧阳小明")).toBe("欧**明");
    expect(maskPhone("7654321")).toBe("*****21");
  });
  it("shows a company's name in full, masks a person's", () => {
    expect(maskBorrowerName("示范科技有限公司", "corporate")).toBe("示范科技有限公司");
    expect(maskBorrowerName("李四海", "individual")).toBe("李*海");
  });
});
