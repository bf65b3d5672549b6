import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, writeFileSync } from 'node:fs';
import { createLogger } from '../shared/logger';

// One-shot, run by compose before MongoDB starts (service `credentials`). It creates each password
// file that is missing and keeps the ones that exist, so a fresh clone gets its own random
// passwords and nobody commits one. Usage: credentials.js <file>:<owner uid>:<group gid> ...
// On every run, each file ends up owned as given and readable by its owner and group only (0440),
// whatever it was before; a password is never written to the log.

const log = createLogger('info');

/** "/credentials/api/password:1000:1000" -> its parts; throws on anything else. */
export function parseSpec(spec: string): { file: string; uid: number; gid: number } {
  const match = /^(\/[^:]+):(\d+):(\d+)$/.exec(spec);
  if (!match) throw new Error(`expected <absolute file>:<uid>:<gid>, got "${spec}"`);
  return { file: match[1], uid: Number(match[2]), gid: Number(match[3]) };
}

/** A password that needs no escaping anywhere: 32 characters of base64url, 192 random bits. */
export const newPassword = (): string => randomBytes(24).toString('base64url');

/** The only mode a password file keeps: read by its owner and its group. */
export const PASSWORD_FILE_MODE = 0o440;

/**
 * Writes a new password to the file unless it exists, then gives it its owner, group and mode,
 * even if it had others (a 0666 file left from a hand edit, an earlier group); says which it did.
 */
export function ensurePasswordFile({ file, uid, gid }: { file: string; uid: number; gid: number }): 'created' | 'kept' {
  const outcome = existsSync(file) ? 'kept' : 'created';
  // flag wx: never overwrite a file another run created in the meantime.
  if (outcome === 'created') writeFileSync(file, `${newPassword()}\n`, { mode: PASSWORD_FILE_MODE, flag: 'wx' });
  // Taken first, so the mode is set on a file of our own: changing the mode of another user's file
  // would need one more capability (CAP_FOWNER) than compose gives this one-shot.
  chownSync(file, process.getuid?.() ?? uid, process.getgid?.() ?? gid);
  chmodSync(file, PASSWORD_FILE_MODE);
  chownSync(file, uid, gid);
  return outcome;
}

function main(specs: string[]): void {
  if (specs.length === 0) throw new Error('no password files given');
  for (const spec of specs.map(parseSpec)) {
    const outcome = ensurePasswordFile(spec);
    log.info(`${outcome === 'created' ? 'created a random password in' : 'kept the password in'} ${spec.file}`, {
      owner: spec.uid,
      group: spec.gid,
    });
  }
}

if (require.main === module) {
  try {
    main(process.argv.slice(2));
  } catch (error) {
    log.error(`could not create the credentials: ${(error as Error).message}`);
    process.exitCode = 1;
  }
}
