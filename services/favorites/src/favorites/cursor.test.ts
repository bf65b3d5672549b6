import { decodeCursor, encodeCursor } from './cursor';

describe('page cursors', () => {
  const last = { createdAt: new Date('2026-11-25T21:55:11.472Z'), _id: '6b07593fc756dfa40e09cc2f' };

  it('name the position of the favorite they were made from, to the millisecond', () => {
    expect(decodeCursor(encodeCursor(last))).toEqual({ createdAt: last.createdAt, id: last._id });
  });

  it('are URL-safe text, so they can go in a query string as they are', () => {
    expect(encodeCursor(last)).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it.each([
    ['a random word', 'hello'],
    ['base64url of something else', Buffer.from('{"createdAt":1}').toString('base64url')],
    ['a position with a short id', Buffer.from('1795643711472:6b07').toString('base64url')],
    ['a position with a negative time', Buffer.from('-1:6b07593fc756dfa40e09cc2f').toString('base64url')],
    ['an empty string', ''],
  ])('when given %s, name no position', (_case, cursor) => {
    expect(decodeCursor(cursor)).toBeUndefined();
  });
});
