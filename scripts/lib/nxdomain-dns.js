// A DNS server that answers every question "no such name" (NXDOMAIN), as the host's resolver does
// for a container name. The extra engines of the matrix (engine.js) use it as their upstream
// resolver: their network namespace reaches no other, and a resolver that can't be reached gives
// EAI_AGAIN where the default engine gives ENOTFOUND. Plain CommonJS, no dependencies.
//   node scripts/lib/nxdomain-dns.js <address>        (listens on <address>:53, UDP)
// @ts-check
'use strict';

const { createSocket } = require('node:dgram');

const [address] = process.argv.slice(2);
if (!address) throw new Error('usage: node scripts/lib/nxdomain-dns.js <address>');

const server = createSocket('udp4');
server.on('message', (query, from) => {
  if (query.length < 12) return;
  const answer = Buffer.from(query);
  // Flags: a response (QR), the query's opcode and RD kept, recursion available (RA), rcode 3.
  answer[2] = 0x80 | (query[2] & 0x79);
  answer[3] = 0x80 | 3;
  // The question stays; no answer, authority or additional records (EDNS's OPT record is dropped).
  answer.writeUInt16BE(0, 6);
  answer.writeUInt16BE(0, 8);
  answer.writeUInt16BE(0, 10);
  const end = questionEnd(query);
  if (end > 0) server.send(answer.subarray(0, end), from.port, from.address);
});
server.bind(53, address);

/** Where the first question ends (its name's labels, then type and class), or 0 if it is cut short. */
function questionEnd(/** @type {Buffer} */ query) {
  let at = 12;
  while (at < query.length && query[at] !== 0) at += query[at] + 1;
  return at + 5 <= query.length ? at + 5 : 0;
}
