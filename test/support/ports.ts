// The tests' loopback ports: the scripts' helpers (scripts/lib/ports.js), and one that is always closed.
export { connectOnLoopback, freePort, portIsFree } from '../../scripts/lib/ports';

/**
 * A port nothing listens on: privileged, so no test server can take it, unlike a port that was
 * merely free a moment ago. Connecting to it on 127.0.0.1 is refused at once.
 */
export const CLOSED_PORT = 9;
