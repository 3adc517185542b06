/**
 * The whole path with three real processes, started the way `npm start` starts them
 * (scripts/start-all.ts): simulated meter → gateway → MQTT → cloud → stored series →
 * overload alert. Checks what the cloud stored against what the simulator served,
 * reading by reading, and that Ctrl-C (SIGINT) stops all three.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, isListening, waitFor } from '@gridsafe/testkit';

const root = fileURLToPath(new URL('../..', import.meta.url));

interface Point {
  ts: number;
  quality: string;
  values: Record<string, number>;
}
interface ServedState {
  ts: number;
  device: string;
  values: Record<string, number>;
}
interface AlertPage {
  items: Array<{
    id: string;
    type: string;
    subject: string;
    state: string;
    severity: string;
    openedAt: number;
    evidence: Record<string, unknown>;
  }>;
}

/** float32 registers scaled by ratios: equal to about 7 significant digits. */
function close(stored: number, served: number): boolean {
  return Math.abs(stored - served) <= 1e-6 * Math.max(1, Math.abs(served));
}

t.test(
  'npm start path: overload alert within 90 s, stored readings equal the served ones, Ctrl-C stops all',
  async (t) => {
    const [httpPort, mqttPort, simPort] = [await freePort(), await freePort(), await freePort()];
    const dataRoot = t.testdir();
    const started = Date.now();
    const launcher = spawn(process.execPath, ['--import', 'tsx', join(root, 'scripts/start-all.ts')], {
      cwd: root,
      env: {
        ...process.env,
        GRIDSAFE_DATA_ROOT: dataRoot,
        GRIDSAFE_HTTP_PORT: String(httpPort),
        GRIDSAFE_MQTT_PORT: String(mqttPort),
        GRIDSAFE_SIM_TCP_PORT: String(simPort),
        GRIDSAFE_LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    launcher.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    launcher.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => launcher.on('exit', (code) => resolve(code)));
    t.teardown(() => {
      if (launcher.exitCode === null) launcher.kill('SIGKILL');
    });

    const api = async <T>(path: string): Promise<T> => {
      // The demo runs in demo mode: the API asks for a token, the demo admin's (cloud/src/config/demo-users.ts).
      const response = await fetch(`http://127.0.0.1:${httpPort}${path}`, {
        headers: { authorization: 'Bearer demo-admin-token' },
      });
      if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${await response.text()}`);
      return (await response.json()) as T;
    };

    const alert = await waitFor(
      'an overload alert for tx-001',
      async () => (await api<AlertPage>('/api/v1/alerts?type=overload&subject=tx-001')).items[0],
      90_000,
      1000,
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n--- launcher output ---\n${output.slice(-4000)}`);
    });
    t.ok(Date.now() - started < 90_000, `alert within 90 s (${Math.round((Date.now() - started) / 1000)} s)`);
    t.equal(alert.type, 'overload');
    t.equal(alert.subject, 'tx-001');
    t.equal(alert.state, 'open');
    t.ok(alert.evidence && Object.keys(alert.evidence).length > 0, 'the alert carries its evidence');

    // The readings that caused it: stored series of the meter, against the simulator's served log.
    const series = await api<{ points: Point[] }>(
      `/api/v1/devices/m-001/series?from=${started - 60_000}&to=${Date.now() + 1000}`,
    );
    t.ok(series.points.length >= 10, `the meter's readings are stored (${series.points.length})`);
    const overloaded = series.points.filter(
      (p) => (p.values['s_kva'] ?? Math.hypot(p.values['p_kw'] ?? 0, p.values['q_kvar'] ?? 0)) > 100,
    );
    t.ok(overloaded.length > 0, 'stored readings show the load above the 100 kVA rating');

    const served: ServedState[] = readFileSync(join(dataRoot, 'firmware-sim/served.jsonl'), 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as ServedState)
      .filter((state) => state.device === 'm-001');
    t.ok(served.length > 0, 'the simulator logged what it served');

    let matched = 0;
    const unmatched: string[] = [];
    for (const point of series.points) {
      // The gateway stamps a reading with its read time; the served state is one that
      // began at most a few ticks before it (or just after, for a read that straddled a
      // tick). A DTSU666 is read in two requests (energy block, measurement block), so a
      // tick between them may split one reading across two states: match each quantity.
      const candidates = served.filter((s) => s.ts <= point.ts + 1000 && s.ts >= point.ts - 3000);
      const missing = Object.entries(point.values).filter(
        ([quantity, value]) =>
          !candidates.some((s) => s.values[quantity] !== undefined && close(value, s.values[quantity]!)),
      );
      if (missing.length === 0) matched++;
      else unmatched.push(`${new Date(point.ts).toISOString()} ${missing.map(([q, v]) => `${q}=${v}`).join(' ')}`);
    }
    t.equal(
      unmatched.length,
      0,
      `every stored value equals a served one (${matched} readings matched)${unmatched.length ? `: first mismatch ${unmatched[0]}` : ''}`,
    );
    const quantities = Object.keys(series.points[0]?.values ?? {});
    for (const q of ['v_a', 'i_a', 'p_kw', 'q_kvar', 'pf', 'f_hz', 'e_imp_kwh'])
      t.ok(quantities.includes(q), `stored readings carry ${q}`);

    // The DL/T 645 meter on the demo's RS-485 line (a socat pair the launcher made) goes the same way.
    const meter645 = await waitFor(
      'stored readings of the DL/T 645 meter d-001',
      async () => {
        const { points } = await api<{ points: Point[] }>(
          `/api/v1/devices/d-001/series?from=${started - 60_000}&to=${Date.now() + 1000}`,
        );
        return points.length > 0 ? points : undefined;
      },
      30_000,
      1000,
    );
    const served645 = readFileSync(join(dataRoot, 'firmware-sim/served.jsonl'), 'utf8')
      .split('\n')
      .filter((line) => line.includes('"d-001"'))
      .map((line) => JSON.parse(line) as ServedState);
    const energy = meter645[0]!.values['e_imp_kwh']!;
    t.ok(
      served645.some((s) => s.values['e_imp_kwh'] !== undefined && close(energy, s.values['e_imp_kwh'])),
      `the DL/T 645 meter's stored energy ${energy} kWh is one it served`,
    );

    // Ctrl-C: the launcher stops all three programs and exits 0.
    launcher.kill('SIGINT');
    const code = await Promise.race([
      exited,
      new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 30_000)),
    ]);
    t.equal(code, 0, 'the launcher exits 0 after Ctrl-C');
    for (const [name, port] of [
      ['cloud HTTP', httpPort],
      ['cloud MQTT', mqttPort],
      ['simulator', simPort],
    ] as const) {
      t.notOk(await isListening(port), `${name} port ${port} is closed`);
    }
  },
);
