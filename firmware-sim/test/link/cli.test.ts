/** gridsafe-link as a real child process: start-up checks, the listening line, stdin commands, counts on exit. */
import t from 'tap';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { client, until, upstream } from './sockets.js';

const CLI = fileURLToPath(new URL('../../dist/src/link/cli.js', import.meta.url));

function run(args: string[], env: Record<string, string> = {}) {
  const proc = spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, GRIDSAFE_LOG_LEVEL: 'info', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  const lines = () =>
    out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { proc, exited, lines, stderr: () => err };
}

t.test('mistakes in the settings name the flag and exit 2', async (t) => {
  const cases: Array<[string[], Record<string, string>, RegExp]> = [
    [[], {}, /--target \(GRIDSAFE_LINK_TARGET\): is required/],
    [['--target', 'broker'], {}, /--target .*"broker" is not \[host:\]port/],
    [['--target', '1883', '--bps', 'fast'], {}, /--bps .*"fast" is not a positive rate/],
    [
      ['--target', '1883'],
      { GRIDSAFE_LINK_LATENCY: 'soon' },
      /--latency \(GRIDSAFE_LINK_LATENCY\): "soon" is not a duration/,
    ],
    [['--target', '1883', '--cut-every', '1m'], {}, /--cut-every and --cut-for go together/],
    [['--target', '1883', '--cut-every', '1m', '--cut-for', '2m'], {}, /shorter than the period/],
    [['--target', '1883', '--mode', 'drop'], {}, /--mode .*"drop" is not reset or stall/],
    [['--target', '1883', '--speed', '1'], {}, /Unknown option '--speed'/],
  ];
  for (const [args, env, message] of cases) {
    const child = run(args, env);
    t.equal(await child.exited, 2, `${args.join(' ')} ${JSON.stringify(env)}: exit 2`);
    t.match(child.stderr(), message);
  }
});

t.test('--help lists every option', async (t) => {
  const child = run(['--help']);
  let out = '';
  child.proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  t.equal(await child.exited, 0);
  const flags = '--target --listen --up-bps --latency --cut-at --random-cuts --mode GRIDSAFE_LINK_TARGET';
  for (const flag of flags.split(' ')) t.match(out, flag);
});

t.test('proxies, obeys stdin commands and logs its counts on SIGTERM', async (t) => {
  const up = await upstream(true);
  t.teardown(() => up.close());
  const child = run(['--target', `127.0.0.1:${up.port}`, '--bps', '1M', '--latency', '5ms', '--stats-every', '0s']);
  t.teardown(() => {
    if (child.proc.exitCode === null) child.proc.kill('SIGKILL');
  });
  await until('the listening line', () => child.lines().some((l) => l['msg'] === 'listening'));
  const listening = child.lines().find((l) => l['msg'] === 'listening')!;
  const port = listening['port'] as number;
  t.ok(port > 0, `listening on ${port}`);
  t.same(listening['upBitsPerSecond'], 1_000_000);

  const c = await client(port);
  c.socket.write('hello');
  await until('the echo', () => c.bytes().toString() === 'hello');
  child.proc.stdin.write('cut reset\n');
  t.equal((await c.closed).error, 'ECONNRESET', 'the stdin cut reset the connection');
  child.proc.stdin.write('restore\nstats\n');
  await until('a stats line', () => child.lines().some((l) => l['msg'] === 'stats'));
  const again = await client(port);
  again.socket.write('again');
  await until('the echo after restore', () => again.bytes().toString() === 'again');
  again.socket.destroy();

  child.proc.kill('SIGTERM');
  t.equal(await child.exited, 0, 'SIGTERM exits 0');
  const last = child
    .lines()
    .filter((l) => l['msg'] === 'stats')
    .at(-1)!['stats'] as { up: { bytes: number }; down: { bytes: number }; cuts: number };
  t.equal(last.up.bytes, 10, 'final up count');
  t.equal(last.down.bytes, 10, 'final down count');
  t.equal(last.cuts, 1);
  t.ok(
    child.lines().some((l) => l['msg'] === 'link cut') && child.lines().some((l) => l['msg'] === 'link restored'),
    'cut and restore are logged',
  );
});
