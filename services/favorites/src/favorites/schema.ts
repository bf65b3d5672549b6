import { z } from 'zod';
import { decodeCursor } from './cursor';

// The one definition of a favorite as clients send it: the API validates with it, the TypeScript
// type comes from it, and openapi.yaml's NewFavorite must equal its JSON Schema (a test checks).

export const FAVORITE_TYPES = ['movie', 'character'] as const;
export type FavoriteType = (typeof FAVORITE_TYPES)[number];

export const MAX_NAME_LENGTH = 200;
export const MAX_URL_LENGTH = 2048;

/** A required string, trimmed, then non-blank and at most maxLength; each failure says which field. */
const text = (field: string, maxLength: number) =>
  z
    .string({
      error: (issue) =>
        issue.input === undefined || issue.input === null ? `${field} is required` : `${field} must be a string`,
    })
    .trim()
    .min(1, { error: `${field} must not be blank`, abort: true })
    .max(maxLength, { error: `${field} must be at most ${maxLength} characters`, abort: true });

const isHttpUrl = (value: string) => URL.canParse(value) && ['http:', 'https:'].includes(new URL(value).protocol);
const HTTP_URL_MESSAGE = 'url must be an http or https URL';

// Loose: unknown fields are allowed (and then ignored), so the document does not forbid them either.
export const newFavoriteSchema = z
  .looseObject({
    type: text('type', 20).pipe(z.enum(FAVORITE_TYPES, { error: `type must be one of: ${FAVORITE_TYPES.join(', ')}` })),
    name: text('name', MAX_NAME_LENGTH),
    // The pattern is what the OpenAPI document can say; the refinement is the full check.
    url: text('url', MAX_URL_LENGTH)
      .regex(/^https?:\/\//i, { error: HTTP_URL_MESSAGE, abort: true })
      .refine(isHttpUrl, { error: HTTP_URL_MESSAGE }),
  })
  .meta({
    id: 'NewFavorite',
    description:
      'A favorite to save. Surrounding spaces are trimmed before the rules apply; unknown fields are ignored.',
  });

/** A favorite as validated: trimmed, of a known type, with an http(s) URL. */
export type NewFavorite = z.infer<typeof newFavoriteSchema>;

export const DEFAULT_PAGE_SIZE = 100;
// 200 favorites of SWAPI's size (about 200 bytes of JSON each) make a page of about 40 kB.
export const MAX_PAGE_SIZE = 200;

const LIMIT_MESSAGE = `limit must be a whole number from 1 to ${MAX_PAGE_SIZE}`;
const CURSOR_MESSAGE =
  'cursor is not one this API gave out: pass the "next" of the previous page as it is, or leave cursor out to start at the newest';

// The query of GET /favorites, from the same one definition: openapi.yaml's parameters must equal
// its JSON Schema (a test checks). Parameters arrive as text, so limit is digits first, then a
// number in range; a repeated parameter arrives as an array and fails like any other bad value.
export const listFavoritesQuerySchema = z
  .looseObject({
    limit: z
      .string({ error: LIMIT_MESSAGE })
      .regex(/^\d{1,3}$/, { error: LIMIT_MESSAGE, abort: true })
      .transform(Number)
      .pipe(z.number().int().min(1, { error: LIMIT_MESSAGE }).max(MAX_PAGE_SIZE, { error: LIMIT_MESSAGE }))
      .default(DEFAULT_PAGE_SIZE),
    // As with url: the pattern is what the OpenAPI document can say; the refinement is the full check.
    cursor: z
      .string({ error: CURSOR_MESSAGE })
      .regex(/^[A-Za-z0-9_-]{1,64}$/, { error: CURSOR_MESSAGE, abort: true })
      .refine((cursor) => decodeCursor(cursor) !== undefined, { error: CURSOR_MESSAGE })
      .optional(),
  })
  .meta({ id: 'ListFavoritesQuery' });
