/**
 * The built-in detectors. Adding one is adding its folder and one line here; no
 * detector knows about another.
 */
import type { AnyDetector } from '../detection/detector.js';
import { overload } from './overload/index.js';

export const BUILTIN_DETECTORS: readonly AnyDetector[] = [overload];
