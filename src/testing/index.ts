/**
 * Property checks and fast-check arbitraries for probability paths and schedulers
 * (`flow-matching/testing`; fast-check is a peer dependency of this entry).
 *
 * @packageDocumentation
 */
export const TESTING_ENTRY = "flow-matching/testing";
