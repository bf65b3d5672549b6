import { isIP } from 'node:net';
import type { RequestHandler } from 'express';
import { AppError } from '../shared/errors';
import type { AllowedHosts } from '../shared/config';

/**
 * Refuses a request whose Host header names a host this API does not answer for, so a page on
 * another site cannot reach it through DNS rebinding (a name of the attacker's that resolves to
 * 127.0.0.1 a moment later: the browser then sends that name as Host).
 * Always accepted, as a rebinding always uses a name with a dot that the attacker's DNS answers:
 * - localhost and *.localhost;
 * - an IP address (a page can only reach an address it names, and then its origin is that address):
 *   the image's healthcheck, Kubernetes' probes, a static address;
 * - a name of one label: Docker's service, container and alias names (favorites, api, balancer).
 * ALLOWED_HOSTS adds names and .domains, or `*` turns the check off. No Host at all (HTTP/1.0,
 * as HAProxy's checks send) is no browser's request: accepted.
 */
export function allowedHosts(allowed: AllowedHosts): RequestHandler {
  if (allowed.any) return (_req, _res, next) => next();
  return (req, _res, next) => {
    const host = req.headers.host;
    if (host !== undefined && !isAllowed(hostName(host), allowed)) {
      throw new AppError(
        421,
        'HOST_NOT_ALLOWED',
        `This API does not answer for the host "${host.slice(0, 100)}". Call it by localhost, an IP address or its service name, or add the name to ALLOWED_HOSTS.`,
      );
    }
    next();
  };
}

/** The name in a Host header, without its port, brackets or trailing dot, in lower case. */
export function hostName(host: string): string {
  const bracketed = /^\[([^\]]*)\]/.exec(host);
  const name = bracketed ? bracketed[1] : host.replace(/:\d*$/, '');
  return name.toLowerCase().replace(/\.$/, '');
}

function isAllowed(name: string, allowed: AllowedHosts): boolean {
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  if (isIP(name) !== 0) return true;
  if (/^[a-z0-9_-]+$/.test(name)) return true;
  return (
    allowed.names.includes(name) || allowed.domains.some((domain) => name === domain || name.endsWith(`.${domain}`))
  );
}
