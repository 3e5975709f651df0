/**
 * Identity numbers on a loan tape: the resident ID card number of an individual (GB 11643-1999,
 * 18 characters, birth date and ISO 7064 MOD 11-2 check character) and the unified social credit
 * code of a corporate (GB 32100-2015, 18 characters, MOD 31 check character).
 */

/** Trim, fullwidth → ASCII, upper case (a lower-case x check character is common). */
export function normalizeIdNumber(input: string): string {
  return input
    .trim()
    .replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/\s+/g, "")
    .toUpperCase();
}

const idWeights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const idCheck = "10X98765432";

export function residentIdCheckCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * idWeights[i]!;
  return idCheck[sum % 11]!;
}

export type IdProblem = "format" | "birthDate" | "checksum";

/** Why an ID card number is wrong, or null when it is valid. */
export function residentIdProblem(id: string): IdProblem | null {
  if (!/^\d{17}[\dX]$/.test(id)) return "format";
  const y = Number(id.slice(6, 10));
  const m = Number(id.slice(10, 12));
  const d = Number(id.slice(12, 14));
  const birth = new Date(Date.UTC(y, m - 1, d));
  if (y < 1900 || birth.getUTCMonth() !== m - 1 || birth.getUTCDate() !== d) return "birthDate";
  return residentIdCheckCharacter(id.slice(0, 17)) === id[17] ? null : "checksum";
}

export function isValidResidentId(id: string): boolean {
  return residentIdProblem(id) === null;
}

// Code characters: digits and upper-case letters without I, O, Z, S, V.
const creditAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const creditWeights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

export function creditCodeCheckCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += creditAlphabet.indexOf(first17[i]!) * creditWeights[i]!;
  return creditAlphabet[(31 - (sum % 31)) % 31]!;
}

export function creditCodeProblem(code: string): Exclude<IdProblem, "birthDate"> | null {
  if (code.length !== 18 || [...code].some((c) => !creditAlphabet.includes(c))) return "format";
  return creditCodeCheckCharacter(code.slice(0, 17)) === code[17] ? null : "checksum";
}

export function isValidCreditCode(code: string): boolean {
  return creditCodeProblem(code) === null;
}

/** A phone number on a tape: 7 to 15 digits (a leading + and separators are not part of it). */
export function isValidPhone(phone: string): boolean {
  return /^\d{7,15}$/.test(phone);
}
