export * from './check.js';
export * from './duration.js';
export * from './error.js';
export * from './size.js';
export { describeValue, closest } from './explain.js';
export * from './source.js';
// The schema builder every package writes its config schemas with (one TypeBox version, through shared).
export { Type, type Static, type TObject, type TProperties, type TSchema } from '@sinclair/typebox';
