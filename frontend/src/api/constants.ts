// Written by scripts/dump_openapi.py from the server's OpenAPI schema (npm run gen:api).
// Do not edit: change the server and regenerate.

/** The server's value: the default least duplicate score. */
export const DUPLICATE_THRESHOLD = 0.7;
/** The server's value: the most clusters a k-means run makes. */
export const MAX_CLUSTERS = 1000;
/** The server's value: the types a property can have. */
export const PROPERTY_TYPES = ["tag", "multi_tags", "text", "number", "date", "url", "checkbox", "color"] as const;
/** The server's value: the longest name of a property, a tag or a run. */
export const NAME_MAX_LENGTH = 200;
/** The server's value: a tag colour, as a regular expression. */
export const COLOUR_PATTERN = "^#[0-9a-fA-F]{6}$";
