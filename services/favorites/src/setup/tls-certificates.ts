import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { createLogger } from '../shared/logger';

// One-shot of the TLS override (compose/parts/mongodb-tls.yml), run before MongoDB starts, as the
// credentials one-shot makes the passwords: a certificate authority of this stack alone and a
// server certificate it signs for MongoDB's names. Node has no API that writes certificates and
// the API image has no openssl, so they are encoded here (X.509 in DER, ECDSA P-256 with SHA-256).
// The CA's private key is never written: nothing can sign another certificate with it afterwards.
// Usage: tls-certificates.js <folder> <uid that reads the server key> <name>[,<name>...]
//   <folder>/ca.pem      the CA certificate, for clients (tlsCAFile): public, mode 0444
//   <folder>/server.pem  the server certificate, then its key (mongod's tlsCertificateKeyFile), mode 0400

const log = createLogger('info');

// DER: a tag, the length (short or long form), the content.
function der(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  let length: Buffer;
  if (body.length < 0x80) length = Buffer.from([body.length]);
  else {
    const bytes = Buffer.from(body.length.toString(16).padStart(body.length > 0xffff ? 6 : 4, '0'), 'hex');
    length = Buffer.concat([Buffer.from([0x80 | bytes.length]), bytes]);
  }
  return Buffer.concat([Buffer.from([tag]), length, body]);
}
const sequence = (...content: Buffer[]) => der(0x30, ...content);
const set = (...content: Buffer[]) => der(0x31, ...content);
const TRUE = der(0x01, Buffer.from([0xff]));
/** A positive INTEGER: a leading 0 when the first bit is set, as DER needs. */
const integer = (value: Buffer) => der(0x02, value[0] & 0x80 ? Buffer.concat([Buffer.from([0]), value]) : value);
const bitString = (content: Buffer, unusedBits = 0) => der(0x03, Buffer.from([unusedBits]), content);
const octetString = (content: Buffer) => der(0x04, content);
const utf8String = (text: string) => der(0x0c, Buffer.from(text, 'utf8'));
const explicit = (tagNumber: number, content: Buffer) => der(0xa0 + tagNumber, content);
/** UTCTime, YYMMDDHHMMSSZ: right for dates up to 2049, which is as far as these go. */
const utcTime = (date: Date) => der(0x17, Buffer.from(date.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z'));

function oid(dotted: string): Buffer {
  const [first, second, ...rest] = dotted.split('.').map(Number);
  const bytes = [40 * first + second];
  for (const arc of rest) {
    const base128 = [arc & 0x7f];
    for (let value = arc >>> 7; value > 0; value >>>= 7) base128.unshift(0x80 | (value & 0x7f));
    bytes.push(...base128);
  }
  return der(0x06, Buffer.from(bytes));
}

const ECDSA_WITH_SHA256 = sequence(oid('1.2.840.10045.4.3.2'));
const commonName = (name: string) => sequence(set(sequence(oid('2.5.4.3'), utf8String(name))));
const extension = (id: string, value: Buffer, critical = false) =>
  sequence(oid(id), ...(critical ? [TRUE] : []), octetString(value));

/** The key's identifier: SHA-1 of its public key, as RFC 5280 suggests. */
const keyId = (spki: Buffer) => createHash('sha1').update(spki.subarray(-65)).digest();

/** Subject alternative names: each IP address as one, anything else as a DNS name. */
function altNames(names: string[]): Buffer {
  return sequence(
    ...names.map((name) =>
      isIP(name) === 4 ? der(0x87, Buffer.from(name.split('.').map(Number))) : der(0x82, Buffer.from(name, 'ascii')),
    ),
  );
}

interface Signer {
  name: string;
  key: KeyObject;
  spki: Buffer;
}

/** One certificate, PEM; `issuer` signs it (itself when absent: a self-signed CA). */
function certificate(subject: string, spki: Buffer, extensions: Buffer[], issuer: Signer, days: number): string {
  const now = Date.now();
  const serial = randomBytes(16);
  serial[0] = (serial[0] & 0x7f) | 0x01; // positive and 16 bytes long
  const tbs = sequence(
    explicit(0, integer(Buffer.from([2]))), // version 3
    integer(serial),
    ECDSA_WITH_SHA256,
    commonName(issuer.name),
    sequence(utcTime(new Date(now - 60 * 60 * 1000)), utcTime(new Date(now + days * 24 * 60 * 60 * 1000))),
    commonName(subject),
    spki,
    explicit(3, sequence(...extensions)),
  );
  const signature = sign('sha256', tbs, issuer.key);
  const body = sequence(tbs, ECDSA_WITH_SHA256, bitString(signature)).toString('base64');
  return `-----BEGIN CERTIFICATE-----\n${body.match(/.{1,64}/g)?.join('\n')}\n-----END CERTIFICATE-----\n`;
}

const newKey = () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return { key: privateKey, spki: publicKey.export({ type: 'spki', format: 'der' }) };
};

/** A new CA, and a server certificate it signs for `names` (host names or IPv4 addresses). */
export function makeCertificates(names: string[], caName = 'favorites stack CA'): { ca: string; server: string } {
  if (names.length === 0) throw new Error('no server name given');
  const ca: Signer = { name: caName, ...newKey() };
  const caPem = certificate(
    caName,
    ca.spki,
    [
      extension('2.5.29.19', sequence(TRUE), true), // basicConstraints: a CA
      extension('2.5.29.15', bitString(Buffer.from([0x06]), 1), true), // keyUsage: keyCertSign, cRLSign
      extension('2.5.29.14', octetString(keyId(ca.spki))), // subjectKeyIdentifier
    ],
    ca,
    3650,
  );
  const server = newKey();
  const serverPem = certificate(
    names[0],
    server.spki,
    [
      extension('2.5.29.19', sequence(), true), // basicConstraints: not a CA
      extension('2.5.29.15', bitString(Buffer.from([0x80]), 7), true), // keyUsage: digitalSignature
      extension('2.5.29.37', sequence(oid('1.3.6.1.5.5.7.3.1'))), // extKeyUsage: serverAuth
      extension('2.5.29.17', altNames(names)),
      extension('2.5.29.35', sequence(der(0x80, keyId(ca.spki)))), // authorityKeyIdentifier
    ],
    ca,
    825,
  );
  const serverKey = server.key.export({ type: 'pkcs8', format: 'pem' }).toString();
  return { ca: caPem, server: `${serverPem}${serverKey}` };
}

/** Writes ca.pem and server.pem into `folder` unless both exist; says which it did. */
export function ensureCertificates(folder: string, serverUid: number, names: string[]): 'created' | 'kept' {
  const caFile = join(folder, 'ca.pem');
  const serverFile = join(folder, 'server.pem');
  if (existsSync(caFile) && existsSync(serverFile)) return 'kept';
  mkdirSync(folder, { recursive: true });
  const { ca, server } = makeCertificates(names);
  writeFileSync(serverFile, server, { mode: 0o400 });
  chownSync(serverFile, serverUid, serverUid);
  writeFileSync(caFile, ca, { mode: 0o444 });
  return 'created';
}

if (require.main === module) {
  try {
    const [folder, uid, names] = process.argv.slice(2);
    if (!folder?.startsWith('/') || !/^\d+$/.test(uid ?? '') || !names) {
      throw new Error('usage: tls-certificates.js <absolute folder> <uid> <name>[,<name>...]');
    }
    const outcome = ensureCertificates(folder, Number(uid), names.split(','));
    log.info(
      `${outcome === 'created' ? 'created a CA and a server certificate in' : 'kept the certificates in'} ${folder}`,
      {
        names,
      },
    );
  } catch (error) {
    log.error(`could not create the TLS certificates: ${(error as Error).message}`);
    process.exitCode = 1;
  }
}
