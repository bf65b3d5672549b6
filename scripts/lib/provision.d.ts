// Types for provision.js, which stays plain JavaScript so that scripts/stack.js runs without npm install.
export const ROOT: string;
export const COMPOSE_DIR: string;
export const IMAGE_VARIABLES: readonly string[];
export type Log = (line: string) => void;
export function readEnvFile(path: string): Record<string, string>;
export function pins(): Record<string, string | undefined>;
export function docker(args: string[], options?: object): { ok: boolean; stdout: string; stderr: string; error?: Error };
export function ensureEngine(log?: Log): { engine: string; compose: string };
export function ensureImages(log?: Log): { offline: boolean; env: Record<string, string> };
/** The path of a Chromium executable: CHROMIUM_PATH, one installed, or (root on Debian) Debian's package, installed now. */
export function ensureChromium(log?: Log): string;
export function pruneReplacedImages(): void;
/** Builds compose/stack.yml's balancer image, apt using this machine's Debian archive; `env` holds the images in use. */
export function buildBalancerImage(env?: Record<string, string | undefined>): void;
export function hostGatewayAddress(image: string): string;
