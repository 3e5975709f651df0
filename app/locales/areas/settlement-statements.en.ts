import type { settlementStatementsZhCN } from "./settlement-statements.zh-CN";

export const settlementStatementsEn: Record<keyof typeof settlementStatementsZhCN, string> = {

};
