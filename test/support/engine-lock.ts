import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The Docker suites run side by side in Jest's workers, on one engine. A few of them change the
// engine for everyone (they say so with an @engine-wide line in their first comment, and why), so
// they must run alone: a readers/writer lock between the workers' processes, in a directory the
// global setup makes for the run. Every other Docker suite holds it shared.
//
//   exclusive           a file, made with O_EXCL: one owner at a time; it holds the owner's pid
//   waiting-<pid>-<n>   one file per suite waiting to run alone
//   shared-<pid>-<n>    one file per suite holding the lock shared
//
// A suite that would run alone says so first (waiting-), takes the exclusive file, and then waits
// for the shared holders to finish. A suite that would share writes its own file, and backs off
// while anyone waits to run alone or does. So the suites that run alone go one after the other,
// never starved, and never together with another. A holder whose process died (a crashed worker)
// no longer counts.

/** Where the run's lock lives: set by the global setup, inherited by the workers. */
const LOCK_VARIABLE = 'FAVORITES_ENGINE_LOCK';
const POLL_MS = 200;
const EXCLUSIVE = 'exclusive';
/** One line per suite that waited: {"testPath", "waitedMs"}. suite-times-reporter.js reads it. */
const WAITS = 'waits.jsonl';

/** Makes the run's lock directory, once; returns it. */
export function createEngineLock(): string {
  process.env[LOCK_VARIABLE] ??= mkdtempSync(join(tmpdir(), 'favorites-engine-lock-'));
  return process.env[LOCK_VARIABLE];
}

export function removeEngineLock(): void {
  const dir = process.env[LOCK_VARIABLE];
  if (dir) rmSync(dir, { recursive: true, force: true });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

let taken = 0;

export class EngineLock {
  constructor(private readonly dir: string) {}

  /** The run's lock, or undefined when no global setup made one (then there is nothing to share). */
  static ofThisRun(): EngineLock | undefined {
    const dir = process.env[LOCK_VARIABLE];
    return dir ? new EngineLock(dir) : undefined;
  }

  /** Waits until no suite runs alone or waits to, and holds the lock shared; returns the release. */
  async shared(): Promise<() => void> {
    const mine = this.file('shared');
    for (;;) {
      if (!this.anyoneAlone()) {
        writeFileSync(mine, '');
        if (!this.anyoneAlone()) return () => rmSync(mine, { force: true });
        rmSync(mine, { force: true });
      }
      await sleep(POLL_MS);
    }
  }

  /** Waits until it is the lock's one holder; returns the release. */
  async exclusive(): Promise<() => void> {
    const waiting = this.file('waiting');
    writeFileSync(waiting, '');
    const exclusive = join(this.dir, EXCLUSIVE);
    for (;;) {
      try {
        writeFileSync(exclusive, String(process.pid), { flag: 'wx' });
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        this.exclusiveHeld(); // clears it when its owner died
        await sleep(POLL_MS);
      }
    }
    while (this.holders('shared').length > 0) await sleep(POLL_MS);
    return () => {
      rmSync(exclusive, { force: true });
      rmSync(waiting, { force: true });
    };
  }

  /**
   * Notes how long a suite waited for the lock, for the run's table of suite times
   * (suite-times-reporter.js): Jest counts the wait in the suite's time.
   */
  noteWait(testPath: string, waitedMs: number): void {
    appendFileSync(join(this.dir, WAITS), `${JSON.stringify({ testPath, waitedMs })}\n`);
  }

  /** A new file name of this process's, for one holder or waiter. */
  private file(kind: 'shared' | 'waiting'): string {
    return join(this.dir, `${kind}-${process.pid}-${(taken += 1)}`);
  }

  private anyoneAlone(): boolean {
    return this.exclusiveHeld() || this.holders('waiting').length > 0;
  }

  private exclusiveHeld(): boolean {
    const file = join(this.dir, EXCLUSIVE);
    let owner: number;
    try {
      owner = Number(readFileSync(file, 'utf8'));
    } catch {
      return false;
    }
    // An owner that has not written its pid yet reads as 0: held.
    if (owner === 0 || alive(owner)) return true;
    rmSync(file, { force: true });
    return false;
  }

  /** The live processes' files of one kind. */
  private holders(kind: 'shared' | 'waiting'): string[] {
    return readdirSync(this.dir)
      .filter((name) => name.startsWith(`${kind}-`))
      .filter((name) => alive(Number(name.split('-')[1])));
  }
}
