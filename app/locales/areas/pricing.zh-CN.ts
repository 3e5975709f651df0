/** Messages of one area (merged into the zh-CN catalog); keys are shared with pricing.en.ts. */
export const pricingZhCN = {
} as const;
