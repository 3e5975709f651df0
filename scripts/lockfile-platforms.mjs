// The registry these machines reach serves only some platform builds of packages such as rollup,
// so `npm install` leaves the other platforms' optional entries out of package-lock.json and
// `npm ci` then refuses the lock as "out of sync". This adds those entries back (os/cpu only, no
// download): npm ci skips them on this platform, as it would anyway. Run after `npm install`.
import fs from "node:fs";

const file = new URL("../package-lock.json", import.meta.url);
const lock = JSON.parse(fs.readFileSync(file, "utf8"));
const packages = lock.packages;
const platform = {
  "android-arm-eabi": ["android", "arm"], "android-arm64": ["android", "arm64"], "android-x64": ["android", "x64"],
  "darwin-arm64": ["darwin", "arm64"], "darwin-x64": ["darwin", "x64"],
  "freebsd-arm64": ["freebsd", "arm64"], "freebsd-x64": ["freebsd", "x64"],
  "linux-arm-gnueabihf": ["linux", "arm", "glibc"], "linux-arm-musleabihf": ["linux", "arm", "musl"],
  "linux-arm64-gnu": ["linux", "arm64", "glibc"], "linux-arm64-musl": ["linux", "arm64", "musl"],
  "linux-loong64-gnu": ["linux", "loong64", "glibc"], "linux-loong64-musl": ["linux", "loong64", "musl"],
  "linux-ppc64-gnu": ["linux", "ppc64", "glibc"], "linux-ppc64-musl": ["linux", "ppc64", "musl"],
  "linux-riscv64-gnu": ["linux", "riscv64", "glibc"], "linux-riscv64-musl": ["linux", "riscv64", "musl"],
  "linux-s390x-gnu": ["linux", "s390x", "glibc"], "linux-x64-gnu": ["linux", "x64", "glibc"],
  "linux-x64-musl": ["linux", "x64", "musl"], "openbsd-x64": ["openbsd", "x64"], "openharmony-arm64": ["openharmony", "arm64"],
  "win32-arm64-msvc": ["win32", "arm64"], "win32-ia32-msvc": ["win32", "ia32"], "win32-x64-gnu": ["win32", "x64"],
  "win32-x64-msvc": ["win32", "x64"],
  // Packages that name builds without a libc suffix (msgpackr-extract, …).
  "linux-arm": ["linux", "arm"], "linux-arm64": ["linux", "arm64"], "linux-x64": ["linux", "x64"],
  "win32-x64": ["win32", "x64"], "win32-arm64": ["win32", "arm64"], "win32-ia32": ["win32", "ia32"],
};
let added = 0;
for (const [where, meta] of Object.entries(packages)) {
  for (const [dep, version] of Object.entries(meta.optionalDependencies ?? {})) {
    if (packages[`node_modules/${dep}`] || packages[`${where}/node_modules/${dep}`]) continue;
    const suffix = Object.keys(platform).find((s) => dep.endsWith(`-${s}`) || dep.endsWith(`/${s}`));
    if (!suffix) {
      console.warn(`left alone: ${dep} (optional dependency of ${where || "the project"}, not a known platform build)`);
      continue;
    }
    const [os, cpu, libc] = platform[suffix];
    packages[`node_modules/${dep}`] = {
      version, cpu: [cpu], dev: meta.dev ?? undefined, ...(libc ? { libc: [libc] } : {}), optional: true, os: [os],
    };
    added++;
  }
}
const sorted = Object.fromEntries(
  Object.keys(packages).sort((a, b) => (a === "" ? -1 : b === "" ? 1 : a.localeCompare(b))).map((k) => [k, packages[k]]),
);
lock.packages = sorted;
fs.writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`package-lock.json: ${added} platform entries added`);
