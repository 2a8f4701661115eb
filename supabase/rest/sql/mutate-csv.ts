// In charge of the CSV body of writes and calls: PostgREST's header-plus-records text, with the header taken from the rows actually answered (`_postgrest_t`) rather than from `pgrst_source`, whose RETURNING or function columns can be more than the select asks for.

import { kw } from './fragments.ts';
import type { Fragment } from './fragments.ts';

/** The keys of the first answered row joined by `,`, a newline, then each row's record text without its parentheses. */
export const csvBody = (): Fragment =>
  kw(
    `(SELECT coalesce(string_agg(pgrst_keys.k, ','), '') FROM json_object_keys(row_to_json((array_agg(_postgrest_t))[1])) AS pgrst_keys(k)) || chr(10) || ` +
      `coalesce(string_agg(substring(_postgrest_t::text, 2, length(_postgrest_t::text) - 2), chr(10)), '')`,
  );
