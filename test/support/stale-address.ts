import { readinessUntil } from './compose';

// What an API shows while it dials a MongoDB address nobody holds any more: ip.test.ts (compose
// recreates MongoDB elsewhere) and ip.docker-run.test.ts (the MongoDB container is removed).

export const STALE_IP_HINT = 'Container IPs change when containers are recreated';

/**
 * The codes /readyz gives while the API dials an address nobody holds any more; both get the stale-IP hint.
 * Every run here saw ETIMEDOUT first: packets to the old address go nowhere (no RST, no ICMP), so
 * the API's own 2 s ping timeout fires before anything else. Later attempts can fail with
 * EHOSTUNREACH instead, once the kernel's ARP entry for the old address has failed (~3 s per attempt).
 * Not a timeout: for ~40 ms between MongoDB's process dying and Docker removing its network
 * interface, the old address still answers with a RST. If the driver's monitor (it polls every 2 s:
 * FerretDB has no streaming hello) reconnects inside that window (~2% of runs), /readyz says
 * ECONNREFUSED until the monitor's next check times out (2 s later). So the tests wait for a
 * timeout-type diagnosis rather than taking the first one.
 */
export const STALE_IP_CODES = ['ETIMEDOUT', 'EHOSTUNREACH'];
/** Waits for /readyz to give a timeout-type diagnosis (see STALE_IP_CODES). */
export const staleAddressDiagnosis = (baseUrl: string) =>
  readinessUntil(
    baseUrl,
    (status, body) => status === 503 && STALE_IP_CODES.includes(body.database?.lastError?.code ?? ''),
    45_000,
  );
