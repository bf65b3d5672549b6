import mongoose from 'mongoose';
import type { DatabaseStatus } from './connection';
import { connectionLost, diagnose, type Diagnosis } from './diagnosis';
import { databaseErrors } from './http-errors';

const MONGODB = { host: 'mongodb', port: 27017 };

/** A database status that is what the test says, and diagnoses what it is told as the connector does. */
function databaseThatIs(connected: boolean) {
  const noted: unknown[] = [];
  let failure: Diagnosis | undefined = connected ? undefined : connectionLost(MONGODB);
  const status: DatabaseStatus = {
    isConnected: () => connected,
    currentFailure: () => failure,
    check: () => Promise.reject(new Error('not checked here')),
    noteFailure: (error) => {
      noted.push(error);
      failure = diagnose(error, { ...MONGODB, inContainer: true });
    },
  };
  return { status, noted };
}

const translate = (err: unknown, connected = true, method = 'GET') => {
  const database = databaseThatIs(connected);
  return { error: databaseErrors(database.status, true)(err, { method }), noted: database.noted };
};

describe('databaseErrors', () => {
  // What the driver let through when MongoDB was killed under load: a write to the closed socket.
  const endedSocket = () =>
    Object.assign(new Error('This socket has been ended by the other party'), { code: 'EPIPE' });

  it('answers a bare socket error from a killed server 503 DATABASE_UNAVAILABLE, even before the driver notices', () => {
    const { error, noted } = translate(endedSocket());
    expect(error).toMatchObject({ status: 503, code: 'DATABASE_UNAVAILABLE' });
    expect(error?.message).toMatch(/^The database is unavailable: mongodb:27017 closed the connection/);
    expect(noted).toHaveLength(1);
  });

  it('tells a writer that a retry is safe when the socket broke under its POST', () => {
    const { error } = translate(endedSocket(), true, 'POST');
    expect(error?.message).toMatch(/may or may not have been saved: retrying is safe/);
  });

  it('answers an operation MongoDB interrupted (shutting down, or the stand-in under a fault) 503 with the hint', () => {
    const interrupted = new mongoose.mongo.MongoServerError({
      code: 11601,
      codeName: 'Interrupted',
      errmsg: 'interrupted',
    });
    const { error, noted } = translate(interrupted);
    expect(error).toMatchObject({ status: 503, code: 'DATABASE_UNAVAILABLE' });
    expect(error?.message).toMatch(/^The database is unavailable: MongoDB at mongodb:27017 stopped the operation/);
    expect(noted).toEqual([interrupted]);
  });

  it('answers MongoDB stopping a slow query at its maxTimeMS 504 QUERY_TIMEOUT', () => {
    const stopped = new mongoose.mongo.MongoServerError({
      code: 50,
      codeName: 'MaxTimeMSExpired',
      errmsg: 'time limit',
    });
    expect(translate(stopped).error).toMatchObject({ status: 504, code: 'QUERY_TIMEOUT' });
  });

  it('leaves errors that are not the database to the next translator', () => {
    expect(translate(Object.assign(new Error('no such file'), { code: 'ENOENT' })).error).toBeUndefined();
  });
});
