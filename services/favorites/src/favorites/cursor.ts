/** Where a page ended: its last favorite's createdAt and _id, the two keys the list is sorted by. */
export interface PagePosition {
  createdAt: Date;
  /** The _id, as 24 hexadecimal characters. */
  id: string;
}

// Opaque to clients (base64url), plain to us: "<createdAt in ms>:<_id in hex>". Nothing in it is
// secret: a made-up cursor can only name a position, and reading from there is harmless.
const POSITION = /^(\d{1,15}):([0-9a-f]{24})$/;

/** The cursor of the page that starts after this favorite. */
export function encodeCursor({ createdAt, _id }: { createdAt: Date; _id: { toString(): string } }): string {
  return Buffer.from(`${createdAt.getTime()}:${_id.toString()}`).toString('base64url');
}

/** The position a cursor names, or undefined when it is not one this API made. */
export function decodeCursor(cursor: string): PagePosition | undefined {
  const match = POSITION.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) return undefined;
  return { createdAt: new Date(Number(match[1])), id: match[2] };
}
