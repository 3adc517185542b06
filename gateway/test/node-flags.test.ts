/**
 * The gateway's Node flags (src/node-flags.ts) are named by every way of starting it that
 * cannot import the list: the CLI's shebang and docker-compose.yml. A flag added to the
 * list and not to them would leave the shipped gateway without it.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { GATEWAY_NODE_FLAGS } from '../src/node-flags.js';

const read = (rel: string) => readFileSync(fileURLToPath(new URL(rel, import.meta.url)), 'utf8');

t.test('the CLI shebang and docker-compose start node with the gateway flags', async (t) => {
  t.ok(GATEWAY_NODE_FLAGS.length > 0, 'there are flags to check');
  const shebang = read('../src/cli.ts').split('\n')[0]!;
  t.equal(shebang, `#!/usr/bin/env -S node ${GATEWAY_NODE_FLAGS.join(' ')}`, 'cli.ts shebang');
  const compose = read('../../docker-compose.yml');
  // A flow sequence, on one line or (as prettier breaks a long one) over several.
  const command = /\n {2}gateway:\n(?: {4}.*\n)*? {4}command:\s*(\[[^\]]*\])/.exec(compose)?.[1];
  t.ok(command, 'the gateway service has a command');
  const items = [...command!.matchAll(/'([^']*)'/g)].map((m) => m[1]);
  t.same(items, ['node', ...GATEWAY_NODE_FLAGS, 'gateway/dist/src/cli.js']);
});
