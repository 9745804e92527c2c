/**
 * Property checks and fast-check arbitraries for probability paths and schedulers
 * (`flow-matching/testing`; fast-check is a peer dependency of this entry).
 *
 * @packageDocumentation
 */
/** Name of this entry point (placeholder until the property kit lands). */
export const TESTING_ENTRY = "flow-matching/testing";
