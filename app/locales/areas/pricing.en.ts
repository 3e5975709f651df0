import type { pricingZhCN } from "./pricing.zh-CN";

export const pricingEn: Record<keyof typeof pricingZhCN, string> = {
};
