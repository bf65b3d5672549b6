import type { EnvironmentContext, JestEnvironmentConfig } from '@jest/environment';
import NodeEnvironment from 'jest-environment-node';
import { EngineLock } from './engine-lock';

/**
 * The Docker projects' test environment: Node's, holding the run's engine lock (engine-lock.ts)
 * from before the suite's first hook until after its last, so a suite's cleanup is covered too.
 * A suite whose first comment has an `@engine-wide <why>` line holds it alone; every other
 * Docker suite shares it.
 */
export default class DockerEnvironment extends NodeEnvironment {
  private readonly engineWide: boolean;
  private readonly testPath: string;
  private release?: () => void;

  constructor(config: JestEnvironmentConfig, context: EnvironmentContext) {
    super(config, context);
    this.engineWide = 'engine-wide' in context.docblockPragmas;
    this.testPath = context.testPath;
  }

  override async setup(): Promise<void> {
    await super.setup();
    const lock = EngineLock.ofThisRun();
    if (!lock) return;
    const asked = Date.now();
    this.release = this.engineWide ? await lock.exclusive() : await lock.shared();
    lock.noteWait(this.testPath, Date.now() - asked);
  }

  override async teardown(): Promise<void> {
    this.release?.();
    await super.teardown();
  }
}
