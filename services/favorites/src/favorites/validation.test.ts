import { AppError } from '../shared/errors';
import { encodeCursor } from './cursor';
import { parseListQuery } from './validation';

const LIMIT_PROBLEM = 'limit must be a whole number from 1 to 200';

/** The 400 parseListQuery throws, as { status, code, details }. */
function refusal(query: Record<string, unknown>) {
  try {
    parseListQuery(query);
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return { status: error.status, code: error.code, details: error.details };
  }
  throw new Error(`accepted ${JSON.stringify(query)}`);
}

describe("GET /favorites' query", () => {
  it('without parameters, asks for the newest 100', () => {
    expect(parseListQuery({})).toEqual({ limit: 100, after: undefined });
  });

  it('reads limit and the position a cursor names, and ignores unknown parameters', () => {
    const cursor = encodeCursor({ createdAt: new Date(1000), _id: '6b07593fc756dfa40e09cc2f' });

    expect(parseListQuery({ limit: '200', cursor, sort: 'name' })).toEqual({
      limit: 200,
      after: { createdAt: new Date(1000), id: '6b07593fc756dfa40e09cc2f' },
    });
  });

  it.each([['0'], ['201'], ['-1'], ['1.5'], ['1e2'], ['abc'], [''], [' 5'], ['0x10'], [['1', '2']]])(
    'with limit=%j, refuses it with a 400 about limit',
    (limit) => {
      expect(refusal({ limit })).toEqual({
        status: 400,
        code: 'VALIDATION_FAILED',
        details: [{ field: 'limit', message: LIMIT_PROBLEM }],
      });
    },
  );

  it.each([
    ['garbled', 'not-a-cursor'],
    ['not base64url', 'a+b/c='],
    ['too long', 'A'.repeat(65)],
    ['repeated', ['x', 'y']],
  ])('with a %s cursor, refuses it with a 400 about cursor', (_case, cursor) => {
    expect(refusal({ cursor })).toEqual({
      status: 400,
      code: 'VALIDATION_FAILED',
      details: [{ field: 'cursor', message: expect.stringMatching(/^cursor is not one this API gave out/) }],
    });
  });
});
