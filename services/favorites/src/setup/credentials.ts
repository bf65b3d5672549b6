import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, writeFileSync } from 'node:fs';
import { createLogger } from '../shared/logger';

// One-shot, run by compose before MongoDB starts (service `credentials`). It creates each password
// file that is missing and keeps the ones that exist, so a fresh clone gets its own random
// passwords and nobody commits one. Usage: credentials.js <file>:<owner uid>:<group gid> ...
// Each file ends up readable by its owner and group only, never written to the log.

const log = createLogger('info');

/** "/credentials/api/password:1000:1000" -> its parts; throws on anything else. */
export function parseSpec(spec: string): { file: string; uid: number; gid: number } {
  const match = /^(\/[^:]+):(\d+):(\d+)$/.exec(spec);
  if (!match) throw new Error(`expected <absolute file>:<uid>:<gid>, got "${spec}"`);
  return { file: match[1], uid: Number(match[2]), gid: Number(match[3]) };
}

/** A password that needs no escaping anywhere: 32 characters of base64url, 192 random bits. */
export const newPassword = (): string => randomBytes(24).toString('base64url');

/** Writes a new password to the file unless it exists; says which it did. */
export function ensurePasswordFile({ file, uid, gid }: { file: string; uid: number; gid: number }): 'created' | 'kept' {
  if (existsSync(file)) return 'kept';
  // flag wx: never overwrite a file another run created in the meantime.
  writeFileSync(file, `${newPassword()}\n`, { mode: 0o440, flag: 'wx' });
  chownSync(file, uid, gid);
  return 'created';
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
