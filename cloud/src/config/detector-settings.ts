/** The config file's `detectors:` section, checked against every built-in detector's settings schema and the quiet period. */
import { HOST_SETTINGS } from '../detection-engine/episodes.js';
import { detectorSettingsProblems } from '../detector-kit/settings.js';
import { BUILTIN_DETECTORS } from '../detectors/index.js';
import type { SectionCheck } from './load.js';

export const checkDetectorSettings: SectionCheck = (source, file) =>
  detectorSettingsProblems(BUILTIN_DETECTORS, file.detectors ?? {}, source, HOST_SETTINGS);
