// Types for faults.js, which stays plain JavaScript so that scripts/reliability.js runs it directly.
export interface FaultTarget {
  baseUrl: string;
  /** The mongodb container's name. */
  mongo: string;
  /** The network the API and mongodb share. */
  network: string;
}
export interface Answer {
  status?: number;
  body?: any;
  error?: string;
  ms: number;
  at: number;
}
export interface FaultReport {
  scenario: string;
  requests: number;
  statuses: Record<string, number>;
  slowestMs: number;
  acknowledgedWrites: number;
  writesLost: number;
  recoveryMs: number | null;
  refusals: Answer[];
}
export const FAULTS: Record<string, unknown>;
export const REQUEST_DEADLINE_MS: number;
export function runFault(name: string, stack: FaultTarget, options?: { faultMs?: number; tag?: string }): Promise<FaultReport>;
export function startLoad(baseUrl: string, options?: { writers?: number; readers?: number; tag?: string }): { answers: Answer[]; stop(): Promise<{ answers: Answer[]; acknowledged: string[] }> };
export function readUntilClosed(url: string): Promise<{ statuses: number[]; errors: string[]; closedPolitely: boolean }>;
