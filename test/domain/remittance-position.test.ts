import { describe, expect, it } from "vitest";
import { cumulativeLateInterest, recoveryStanding } from "~/domain/remittance-position";
import { defaultSettings } from "~/domain/settings";

const yuan = (n: number) => BigInt(Math.round(n * 100));
const settings = () => defaultSettings; // ¥ rate 4.35%, from 5 days, /360

describe("R7 per recovery, as of a day", () => {
  const recovery = { id: "r1", collectedOn: "2026-03-01", amount: yuan(100_000), parts: [] };

  it("unremitted money runs to asOf: 4 days cost nothing, 5 days ¥60.42, 11 days ¥132.92", () => {
    expect(recoveryStanding(recovery, "2026-03-05", settings)).toMatchObject({ outstanding: yuan(100_000), delay: 4, interest: 0n });
    expect(recoveryStanding(recovery, "2026-03-06", settings).interest).toBe(6042n);
    expect(recoveryStanding(recovery, "2026-03-12", settings).interest).toBe(13292n);
  });

  it("a part remitted on day 10 stops its clock; the rest keeps running (each part rounded once)", () => {
    const partly = { ...recovery, parts: [{ amount: yuan(50_000), remittedOn: "2026-03-11" }] };
    const standing = recoveryStanding(partly, "2026-03-12", settings);
    expect(standing.outstanding).toBe(yuan(50_000));
    // ¥50,000 × 4.35% × 10 / 360 = ¥60.416… → ¥60.42; ¥50,000 × 4.35% × 11 / 360 = ¥66.458… → ¥66.46
    expect(standing.charges.map((c) => c.interest)).toEqual([6042n, 6646n]);
    expect(standing.interest).toBe(12688n);
  });

  it("a part remitted after asOf is still unremitted on asOf; a recovery collected after asOf does not count", () => {
    const later = { ...recovery, parts: [{ amount: yuan(100_000), remittedOn: "2026-03-20" }] };
    expect(recoveryStanding(later, "2026-03-06", settings)).toMatchObject({ outstanding: yuan(100_000), interest: 6042n });
    expect(recoveryStanding(later, "2026-02-28", settings)).toMatchObject({ outstanding: 0n, interest: 0n });
    expect(cumulativeLateInterest([recovery, later], "2026-03-06", settings)).toBe(12084n);
  });

  it("a remittance fully within 4 days costs nothing, and over-remitting is refused", () => {
    expect(recoveryStanding({ ...recovery, parts: [{ amount: yuan(100_000), remittedOn: "2026-03-05" }] }, "2026-06-30", settings)).toMatchObject({ outstanding: 0n, delay: 0, interest: 0n });
    expect(() => recoveryStanding({ ...recovery, parts: [{ amount: yuan(100_001), remittedOn: "2026-03-02" }] }, "2026-03-03", settings)).toThrow(RangeError);
  });
});
