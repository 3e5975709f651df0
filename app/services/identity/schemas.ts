import { z } from "zod";
import { roles } from "~/domain/access";
import { locales } from "~/infra/i18n";

/**
 * The inputs of the identity pages. Shared by the browser (validation before submit) and the
 * server (the authority); every message is an i18n key.
 */

const required = (max = 200) =>
  z.string({ error: "form.required" }).trim().min(1, { error: "form.required" }).max(max, { error: "form.tooLong" });
const optional = (max = 200) =>
  z.string().trim().max(max, { error: "form.tooLong" }).optional().transform((v) => (v ? v : null));
const email = z
  .string({ error: "form.required" })
  .trim()
  .toLowerCase()
  .min(1, { error: "form.required" })
  .pipe(z.email({ error: "form.invalidEmail" }));
const newPassword = z.string({ error: "form.required" }).min(10, { error: "form.passwordTooShort" }).max(200, { error: "form.tooLong" });
const isoDate = /^\d{4}-\d{2}-\d{2}$/;
const optionalDate = z
  .string()
  .trim()
  .optional()
  .refine((v) => !v || (isoDate.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v)), {
    error: "form.invalidDate",
  })
  .transform((v) => (v ? new Date(`${v}T00:00:00Z`) : null));
const asArray = (v: unknown) => (v === undefined || v === "" ? [] : Array.isArray(v) ? v : [v]);

export const loginSchema = z.object({
  email,
  password: z.string({ error: "form.required" }).min(1, { error: "form.required" }),
  redirectTo: z.string().optional(),
});

export const changePasswordSchema = z
  .object({
    currentPassword: z.string({ error: "form.required" }).min(1, { error: "form.required" }),
    newPassword,
    confirmPassword: z.string({ error: "form.required" }).min(1, { error: "form.required" }),
  })
  .refine((v) => v.newPassword === v.confirmPassword, { error: "form.passwordMismatch", path: ["confirmPassword"] });

/** Naming a new personal API token (profile page). */
export const apiTokenNameSchema = z.object({ name: required(100) });

export const localeSchema = z.object({
  locale: z.enum(locales, { error: "form.invalidChoice" }),
  redirectTo: z.string().optional(),
});

export const employmentStatuses = ["ON_PAYROLL", "RETIRED", "LEFT"] as const;

const userFields = {
  displayName: required(100),
  organizationId: required(),
  branchId: optional(),
  staffNumber: optional(50),
  position: optional(50),
  employmentStatus: z
    .union([z.enum(employmentStatuses), z.literal("")], { error: "form.invalidChoice" })
    .optional()
    .transform((v) => (v ? v : null)),
  locale: z.enum(locales, { error: "form.invalidChoice" }),
  roles: z.preprocess(asArray, z.array(z.enum(roles, { error: "form.invalidChoice" })).min(1, { error: "form.chooseRole" })),
};

export const createUserSchema = z.object({ email, password: newPassword, ...userFields });
export const updateUserSchema = z.object({ email, ...userFields });

export const organizationSchema = z.object({
  name: required(100),
  licenceNumber: optional(100),
  licenceValidUntil: optionalDate,
  legalRepresentative: optional(100),
  contactName: optional(100),
  contactPhone: optional(20).refine((v) => !v || /^\d{7,15}$/.test(v), { error: "form.invalidPhone" }),
  contactEmail: z
    .string()
    .trim()
    .optional()
    .refine((v) => !v || z.email().safeParse(v).success, { error: "form.invalidEmail" })
    .transform((v) => (v ? v.toLowerCase() : null)),
  address: optional(200),
  bannedUntil: optionalDate,
  banReason: optional(200),
  /** Stripe Connect account settlement pays the agency to (acct_…); absent: unchanged, empty: removed. */
  stripeAccountId: z
    .string()
    .trim()
    .max(255, { error: "form.tooLong" })
    .optional()
    .refine((v) => !v || /^acct_[A-Za-z0-9]+$/.test(v), { error: "settlement.statements.org.invalidStripeAccount" })
    .transform((v) => (v === undefined ? undefined : v ? v : null)),
});

export const branchSchema = z.object({
  code: required(20),
  name: required(100),
  region: required(50),
});
