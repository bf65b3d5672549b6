import { statSync } from 'node:fs';
import mongoose from 'mongoose';
import { dataVolumePasswordHint, diagnose, runningInContainer, type FailureCode } from '../db/diagnosis';
import { hasMongoCode } from '../db/errors';
import { ConfigError, loadDatabaseUserConfig, type DatabaseUserConfig } from '../shared/config';
import { createLogger } from '../shared/logger';

// One-shot, run by compose once MongoDB is healthy (service `database-user`): connects as the
// administrator and makes sure the API's own user exists, with its current password and the right
// to read and write its one database, nothing more. The API never sees the administrator's password.

const log = createLogger('info');

/** What ensureDatabaseUser did, for the log and the tests. */
export interface UserOutcome {
  action: 'created' | 'updated';
  /** The roles granted, or null when the server has no roles (FerretDB): then every user may do everything. */
  roles: { role: string; db: string }[] | null;
}

/** Creates the API's user, or updates its password and roles; safe to run on every start. */
export async function ensureDatabaseUser(config: DatabaseUserConfig): Promise<UserOutcome> {
  const client = new mongoose.mongo.MongoClient(config.admin.url, { serverSelectionTimeoutMS: 10_000 });
  try {
    const admin = client.db('admin');
    const { users } = await admin.command({ usersInfo: config.username });
    const action = Array.isArray(users) && users.length > 0 ? 'updated' : 'created';
    const command = action === 'created' ? { createUser: config.username } : { updateUser: config.username };
    const roles = [{ role: 'readWrite', db: config.dbName }];
    try {
      await admin.command({ ...command, pwd: config.password, roles });
      return { action, roles };
    } catch (error) {
      if (!hasMongoCode(error, 'NotImplemented')) throw error;
      // FerretDB 1.x authenticates users but has no roles: a user without them is all it can make.
      await admin.command({ ...command, pwd: config.password, ...(action === 'created' ? { roles: [] } : {}) });
      return { action, roles: null };
    }
  } finally {
    await client.close();
  }
}

/** When the administrator's password file was last written: the credentials one-shot writes it once. */
function writtenAt({ admin }: DatabaseUserConfig): Date | undefined {
  try {
    return admin.passwordFile ? statSync(admin.passwordFile).mtime : undefined;
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  const config = loadDatabaseUserConfig();
  log.info('connecting to MongoDB as the administrator', { url: config.admin.safeUrl });
  try {
    const { action, roles } = await ensureDatabaseUser(config);
    if (roles) {
      log.info(`${action} the user "${config.username}": readWrite on "${config.dbName}", nothing else`);
    } else {
      log.warn(
        `${action} the user "${config.username}" without roles: this server has none, so that user may do anything the administrator can`,
      );
    }
  } catch (error) {
    const found = diagnose(error, { ...config.admin, inContainer: runningInContainer() });
    // MongoDB is up and healthy (compose waits for it), so a refused administrator means a data volume
    // set up with another password: said as such, and never fixed by deleting it.
    const volumePassword = found.code === 'AUTH_FAILED';
    const code: FailureCode = volumePassword ? 'DATA_VOLUME_PASSWORD' : found.code;
    const hint = volumePassword ? dataVolumePasswordHint(config.admin.passwordFile, writtenAt(config)) : found.hint;
    log.error(`could not set up the API's MongoDB user (${code}). ${hint}`, { error: found.message });
    process.exitCode = 1;
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    log.error(error instanceof ConfigError ? `Invalid configuration: ${error.message}` : String(error));
    process.exitCode = 1;
  });
}
