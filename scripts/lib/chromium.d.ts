// Types for chromium.js, which stays plain JavaScript so that the tests' global setup runs it directly.
/** The path of a Chromium executable: CHROMIUM_PATH, one installed, or (root on Debian) Debian's package, installed now. */
export function ensureChromium(log?: (line: string) => void): string;
