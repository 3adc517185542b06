/** The config file's `workflow:` section, checked with the rest of the file (positions and all problems at once). */
import { ConfigError } from '@gridsafe/shared';
import { parseWorkflowSettings } from '../workflow-plugin/settings.js';
import type { SectionCheck } from './load.js';

export const checkWorkflowSettings: SectionCheck = (source, file) => {
  try {
    parseWorkflowSettings(file.workflow, source);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
};
