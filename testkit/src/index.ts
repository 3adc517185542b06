/** Helpers the test suites of every gridsafe package share (a dev-only workspace, never shipped). */
export { freePort, isListening } from './ports.js';
export { waitFor, waitForOk } from './wait.js';
export { goldenCases, goldenResult, type GoldenCase, type GoldenResult } from './golden.js';
export { run, tail, type Proc } from './procs.js';
export { getJson, metricSamples, type MetricSample } from './http.js';
