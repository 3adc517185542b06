/** The link emulator: a TCP proxy with bandwidth, latency and cuts (README.md here). */
export { LinkEmulator, type Direction, type LinkEmulatorOptions, type LinkStats } from './emulator.js';
export { cutWindows, checkCutSchedule, type CutMode, type CutSchedule, type CutWindow } from './cut-plan.js';
export { TokenBucket } from './token-bucket.js';
export {
  parseLinkSettings,
  parseBits,
  LINK_ENV,
  LinkSettingsError,
  type RawLinkSettings,
  type LinkCliSettings,
} from './options.js';
