// Types for engine.js, which stays plain JavaScript so that scripts/stack.js runs without npm install.
export const ROOT: string;
export function docker(args: string[], options?: object): { ok: boolean; stdout: string; stderr: string; error?: Error };
export function ensureEngine(log?: (line: string) => void): { engine: string; compose: string };
export function hostGatewayAddress(image: string): string;
