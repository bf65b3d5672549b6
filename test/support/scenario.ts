import { docker as runDocker } from '../../scripts/lib/engine';
import { pins } from '../../scripts/lib/images';
import { containersOf, SCENARIOS, type BreakContext, type ComposeRunner } from '../../scripts/lib/scenarios';
import { composeCli, stackEnv, type Stack } from './compose';
import { images } from './docker';
import { freePort } from './ports';

// A scenario's breaks (scripts/lib/scenarios/<name>.js) run against a suite's own stack: the suite
// causes a failure with the very code `node scripts/stack.js <scenario> --break <name>` runs, then
// asserts on what the API answers.

/**
 * What a break context needs of a suite's stack: a Stack from upStack(), or a project name alone,
 * for breaks that run only `docker run` containers.
 */
export type StackRef = Pick<Stack, 'projectName'> & Partial<Pick<Stack, 'baseUrl' | 'env'>>;

/**
 * The context `breaks[name].run(ctx)` and `show(ctx)` take, for `stack` brought up from
 * compose/<scenario>.yml: its compose project (with the variables it came up with), its API, a
 * second free port, and the images the tests use. `extras` replaces any of it, e.g. startHostMongo.
 */
export async function breakContext(
  stack: StackRef,
  scenario: string,
  extras: Partial<BreakContext> = {},
): Promise<BreakContext> {
  const env = stack.env ?? {};
  const port = Number(env.FAVORITES_PORT ?? (await freePort()));
  const project = { file: `${scenario}.yml`, name: stack.projectName, env };
  return {
    // Output is always captured (stdio is ignored): a suite's log stays its own.
    compose: ((args, overrides = {}, _stdio, { check = true } = {}) =>
      composeCli(project, args, overrides, { check })) satisfies ComposeRunner,
    // The images in use, and the SWAPI stub for the API a break runs by hand.
    images: { ...pins(), ...stackEnv() },
    api: stack.baseUrl ?? `http://127.0.0.1:${port}`,
    port,
    sparePort: await freePort(),
    project: stack.projectName,
    network: env.FAVORITES_NETWORK ?? 'favorites-net',
    apiImage: images.api,
    startHostMongo: () => {
      throw new Error(`${scenario}: pass startHostMongo to breakContext() for a break that starts a host MongoDB`);
    },
    ...extras,
  };
}

/** The name of a container a break starts outside the compose file (an entry of its `containers`). */
export const breakContainer = (ctx: Pick<BreakContext, 'project'>, what: string): string => `${ctx.project}-${what}`;

/**
 * Removes every container `scenario`'s breaks start outside its compose file, as `stack.js down`
 * does. Before the stack goes: some mount its volumes.
 */
export function removeBreakContainers(ctx: Pick<BreakContext, 'project'>, scenario: string): void {
  for (const name of containersOf(SCENARIOS[scenario], ctx.project)) runDocker(['rm', '-f', '-v', name]);
}
