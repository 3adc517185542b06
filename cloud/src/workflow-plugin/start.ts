/** What startCloud needs to run the workflow: its migrations, its HTTP plugin, the penalty rules. */
import type { CloudConfig } from '../config/types.js';
import { DEMO_USERS } from '../config/demo-users.js';
import type { StartOptions } from '../service.js';
import { workflowMigrations } from './migrations.js';
import { workflowPlugin, type WorkflowHandle } from './plugin.js';
import type { WorkflowSettings } from './settings.js';

export function workflowStartOptions(
  config: CloudConfig,
  settings: WorkflowSettings,
  onReady?: (handle: WorkflowHandle) => void,
): Required<Pick<StartOptions, 'httpPlugins' | 'penaltyRules' | 'extraMigrations'>> {
  return {
    penaltyRules: settings.penalty,
    extraMigrations: workflowMigrations(config.relational.kind),
    httpPlugins: [
      workflowPlugin(
        { settings, dataDir: config.dataDir, apiAuth: config.apiAuth, demoUsers: config.apiDemo ? DEMO_USERS : [] },
        onReady,
      ),
    ],
  };
}
