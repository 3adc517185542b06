// The shared site-time formatter (shared/src/time/site-time.ts), served to the browser as
// /console/assets/vendor/site-time.js (cloud/src/console/assets.ts): its types are shared's own.
export * from '@gridsafe/shared/time/site-time.js';
