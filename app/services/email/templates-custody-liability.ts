// Custody email templates (liability): same shape as templates.ts (locale, params → RenderedEmail); merged into `templates` there.
// Use `layout` and `escape` from "./layout".
export const custodyLiabilityTemplates = {
};
