// Types for images.js, which stays plain JavaScript so that scripts/stack.js runs without npm install.
export const COMPOSE_DIR: string;
export const IMAGE_VARIABLES: readonly string[];
export function readEnvFile(path: string): Record<string, string>;
export function pins(): Record<string, string | undefined>;
export function ensureImages(log?: (line: string) => void): { offline: boolean; env: Record<string, string> };
export function pruneReplacedImages(): void;
/** Builds compose/stack.yml's balancer image, apt using this machine's Debian archive; `env` holds the images in use. */
export function buildBalancerImage(env?: Record<string, string | undefined>): void;
