/**
 * The demo's users, one of each role, part of the embedded defaults: with `api.demo`
 * (or GRIDSAFE_DEMO=true) the cloud asks for tokens and the console's sign-in lists
 * these, so every role can be tried without writing configuration. Their tokens are
 * public by design: never turn demo mode on where the API is reachable by others.
 * The inspector's area is the demo registry's (deploy/demo/registry.json).
 */
import type { DemoUser } from '@gridsafe/shared';

export const DEMO_USERS: readonly DemoUser[] = [
  { name: 'demo-admin', role: 'admin', token: 'demo-admin-token', areas: [] },
  { name: 'demo-inspector', role: 'inspector', token: 'demo-inspector-token', areas: ['demo-north'] },
  { name: 'demo-auditor', role: 'auditor', token: 'demo-auditor-token', areas: [] },
];
