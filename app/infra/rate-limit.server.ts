/**
 * Sign-in attempts per client address in a sliding window, in memory: a brake on password
 * guessing across many accounts (the per-account lockout handles one account).
 */
const windowMs = 5 * 60 * 1000;
const maxAttempts = 50;
const attempts = new Map<string, number[]>();

export function takeLoginAttempt(key: string, now = Date.now()): boolean {
  const recent = (attempts.get(key) ?? []).filter((t) => now - t < windowMs);
  if (recent.length >= maxAttempts) {
    attempts.set(key, recent);
    return false;
  }
  recent.push(now);
  attempts.set(key, recent);
  if (attempts.size > 10_000) attempts.clear();
  return true;
}
