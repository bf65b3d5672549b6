// Types for index.js, for the TypeScript suites: types.js in TypeScript's words, until checkJs
// reads scripts/ (then this file goes).
export type ComposeRunner = (
  args: string[],
  overrides?: Record<string, string>,
  stdio?: 'inherit' | 'pipe',
  options?: { check?: boolean },
) => string;

export interface BreakContext {
  compose: ComposeRunner;
  images: Record<string, string | undefined>;
  api: string;
  port: number;
  sparePort: number;
  project: string;
  network: string;
  apiImage: string;
  startHostMongo(bindIp: string, name?: string): void;
}

type StackText = string | ((ctx: BreakContext) => string);

export interface Break<State = unknown> {
  what: string;
  command: StackText;
  containers?: string[];
  run(ctx: BreakContext): State | Promise<State>;
  show(ctx: BreakContext, state: State): string | Promise<string>;
  fix: StackText;
}

export interface Scenario {
  name: string;
  title: string;
  reachedBy: string;
  env?: Record<string, string>;
  apiService?: string;
  runWith?: string;
  breaks: Record<string, Break<any>>;
}

export interface SwarmScenario extends Scenario {
  file: string;
  deployArgs(stack: string): string[];
  removeArgs(stack: string): string[];
}

export const SCENARIOS: Record<string, Scenario> & { swarm: SwarmScenario };
export function findBreak(name: string): { scenario: Scenario; failure: Break<any> } | undefined;
export function breakNames(): string[];
export function containersOf(scenario: Scenario, project: string): string[];
