import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureCertificates, makeCertificates } from './tls-certificates';

describe('makeCertificates', () => {
  const { ca, server } = makeCertificates(['mongodb', 'localhost', '127.0.0.1']);
  const caCert = new X509Certificate(ca);
  const serverCert = new X509Certificate(server);

  it('makes a self-signed CA', () => {
    expect(caCert.ca).toBe(true);
    expect(caCert.subject).toBe('CN=favorites stack CA');
    expect(caCert.verify(caCert.publicKey)).toBe(true);
  });

  it('makes a server certificate the CA signed, for each name given, and not a CA itself', () => {
    expect(serverCert.ca).toBe(false);
    expect(serverCert.checkIssued(caCert)).toBe(true);
    expect(serverCert.verify(caCert.publicKey)).toBe(true);
    expect(serverCert.subjectAltName).toBe('DNS:mongodb, DNS:localhost, IP Address:127.0.0.1');
    expect(serverCert.checkHost('mongodb')).toBe('mongodb');
    expect(serverCert.checkHost('elsewhere')).toBeUndefined();
    expect(serverCert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']); // serverAuth
  });

  it('puts the server key after the certificate, in one file, and it is that certificate’s key', () => {
    const key = createPrivateKey(server);

    expect(createPublicKey(key).export({ type: 'spki', format: 'der' })).toEqual(
      serverCert.publicKey.export({ type: 'spki', format: 'der' }),
    );
    expect(ca).not.toContain('PRIVATE KEY');
  });
});

describe('ensureCertificates', () => {
  let folder: string;
  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'tls-certificates-'));
  });
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  it('writes ca.pem readable by all and server.pem by its owner only, then keeps them', () => {
    const uid = process.getuid?.() ?? 0;

    expect(ensureCertificates(folder, uid, ['mongodb'])).toBe('created');
    const ca = readFileSync(join(folder, 'ca.pem'), 'utf8');
    expect(statSync(join(folder, 'ca.pem')).mode & 0o777).toBe(0o444);
    expect(statSync(join(folder, 'server.pem')).mode & 0o777).toBe(0o400);
    expect(ensureCertificates(folder, uid, ['mongodb'])).toBe('kept');
    expect(readFileSync(join(folder, 'ca.pem'), 'utf8')).toBe(ca);
  });
});
