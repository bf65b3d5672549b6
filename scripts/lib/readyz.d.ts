// Types for readyz.js, which stays plain JavaScript so that scripts/stack.js runs it directly.
export interface ReadyzAnswer {
  status: number;
  body: { database?: { lastError?: { code?: string } | null } } & Record<string, unknown>;
}
export function readyzUntil(baseUrl: string, done: (answer: ReadyzAnswer) => boolean, timeoutMs?: number): Promise<ReadyzAnswer>;
export function readyzInside(container: string): ReadyzAnswer;
