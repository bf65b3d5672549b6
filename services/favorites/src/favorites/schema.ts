import { z } from 'zod';

// The one definition of a favorite as clients send it: the API validates with it, the TypeScript
// type comes from it, and openapi.yaml's NewFavorite must equal its JSON Schema (a test checks).

export const FAVORITE_TYPES = ['movie', 'character'] as const;
export type FavoriteType = (typeof FAVORITE_TYPES)[number];

export const MAX_NAME_LENGTH = 200;
export const MAX_URL_LENGTH = 2048;

/** A required string, trimmed, then non-blank and at most maxLength; each failure says which field. */
const text = (field: string, maxLength: number) =>
  z
    .string({ error: (issue) => (issue.input === undefined || issue.input === null ? `${field} is required` : `${field} must be a string`) })
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
    description: 'A favorite to save. Surrounding spaces are trimmed before the rules apply; unknown fields are ignored.',
  });

/** A favorite as validated: trimmed, of a known type, with an http(s) URL. */
export type NewFavorite = z.infer<typeof newFavoriteSchema>;
