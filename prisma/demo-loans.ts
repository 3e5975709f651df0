import { creditCodeCheckCharacter, residentIdCheckCharacter } from "../app/domain/identity-numbers";

/**
 * A demo loan book: 48 loans over the four demo branches, deterministic (same rows every time), as
 * loan-tape rows with the English keys, the way the API takes them. Imported by the seed through the
 * ordinary tape import, so the demo data obeys every tape rule.
 */
const surnames = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙"];
const givenNames = ["建国", "秀英", "志强", "丽", "海涛", "敏", "小明", "桂兰", "伟", "春梅", "国华", "玉珍"];
const companies = ["河西农机制造有限公司", "城关商贸有限公司", "山南建材有限公司", "东城食品加工厂", "示范纺织有限公司", "河西养殖专业合作社"];
const branches = [
  { code: "B001", region: "城关区" },
  { code: "B002", region: "城关区" },
  { code: "B003", region: "河西县" },
  { code: "B004", region: "山南县" },
];
const fiveTiers = ["substandard", "doubtful", "loss"];
const collaterals = ["unsecured", "guarantee", "mortgage", "pledge"];
const reasons = [null, null, null, "death", "bankruptcy", "guarantor_unable", null, "enforcement_terminated", null, "conviction"];

const pad = (n: number, w: number) => String(n).padStart(w, "0");

function residentId(i: number): string {
  const birth = `19${pad(55 + (i % 40), 2)}${pad(1 + (i % 12), 2)}${pad(1 + (i % 28), 2)}`;
  const first17 = `110105${birth}${pad(100 + i, 3)}`;
  return first17 + residentIdCheckCharacter(first17);
}

function creditCode(i: number): string {
  const first17 = `91350100MA${pad(i * 7919, 6).slice(-6)}0`.slice(0, 17);
  return first17 + creditCodeCheckCharacter(first17);
}

export function demoLoanRows(count = 48): Record<string, string>[] {
  const rows: Record<string, string>[] = [];
  for (let i = 1; i <= count; i++) {
    const corporate = i % 6 === 0;
    const branch = branches[i % branches.length]!;
    const disbursedYear = 2010 + (i % 12);
    const maturesYear = disbursedYear + 1 + (i % 3);
    const collateral = collaterals[i % collaterals.length]!;
    const reason = reasons[i % reasons.length] ?? null;
    const principal = 20_000 + ((i * 37_331) % 480_000);
    const lastInterruption = i % 4 === 0 ? null : `${2023 + (i % 3)}-${pad(1 + (i % 12), 2)}-${pad(1 + (i % 27), 2)}`;
    rows.push({
      loan_number: `DEMO-${pad(i, 4)}`,
      borrower_name: corporate ? companies[i % companies.length]! : `${surnames[i % surnames.length]}${givenNames[(i * 5) % givenNames.length]}`,
      borrower_type: corporate ? "corporate" : "individual",
      borrower_id_number: corporate ? creditCode(i) : residentId(i),
      phone: `13${pad(800_000_000 + i * 1_234_567, 9).slice(-9)}`,
      branch: branch.code,
      region: branch.region,
      principal: `${principal}.${pad((i * 13) % 100, 2)}`,
      interest_on_balance: `${Math.floor((principal * 8) / 100)}.00`,
      interest_off_balance: i % 3 === 0 ? `${Math.floor((principal * 5) / 100)}.00` : "0",
      disbursed_on: `${disbursedYear}-${pad(1 + (i % 12), 2)}-15`,
      matures_on: `${maturesYear}-${pad(1 + (i % 12), 2)}-15`,
      ...(i % 9 === 0 ? { extended_maturity: `${maturesYear + 1}-${pad(1 + (i % 12), 2)}-15` } : {}),
      ...(i % 2 === 0 ? { last_payment_on: `${maturesYear}-${pad(1 + ((i + 3) % 12), 2)}-10` } : {}),
      ...(lastInterruption ? { last_interruption_on: lastInterruption } : {}),
      five_tier: fiveTiers[i % fiveTiers.length]!,
      term_class: i % 5 === 0 ? "bad" : i % 2 === 0 ? "idle" : "overdue",
      balance_sheet: i % 7 === 0 ? "off" : "on",
      written_off: i % 7 === 0 ? "true" : "false",
      collateral,
      ...(collateral === "guarantee" ? { guarantor_name: `${surnames[(i + 3) % surnames.length]}${givenNames[(i + 1) % givenNames.length]}` } : {}),
      litigation: reason === "enforcement_terminated" ? "enforcement_terminated" : i % 8 === 0 ? "in_suit" : "none",
      ...(reason ? { difficulty_reason: reason } : {}),
      officer: i % 10 === 0 ? "S2002" : `S${pad(3000 + (i % 17), 4)}`,
    });
  }
  return rows;
}
