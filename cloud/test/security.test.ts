/**
 * Security with real clients: Debian's mosquitto_pub and mosquitto_sub against the
 * embedded broker (wrong secret, publishing as another gateway, reading another
 * gateway's commands), and API roles over HTTP (inspector areas, auditor read-only).
 * Every refusal must be logged; the test reads the cloud's log lines.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { topics, type Logger } from '@gridsafe/shared';
import mqtt from 'mqtt';
import { metric, startTestCloud, type TestCloud } from './support/cloud.js';

/** Every log line of this file's clouds, for the last test: no secret used here may appear in any of them. */
const everyLogLine: string[] = [];

/** A plain pino logger (no redaction of its own: the cloud must redact whatever it is given), at debug level. */
function captureLog(): { log: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n'))
        if (line.trim()) {
          everyLogLine.push(line);
          lines.push(JSON.parse(line) as Record<string, unknown>);
        }
      done();
    },
  });
  return { log: pino({ level: 'debug' }, stream), lines };
}

function mosquitto(command: 'mosquitto_pub' | 'mosquitto_sub', args: string[], timeoutMs = 10_000) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(command, args);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const port = (cloud: TestCloud) => String(cloud.mqttPort);
const batchJson = (gateway: string, seq: number) =>
  JSON.stringify({
    gateway,
    seq,
    sentAt: Date.now(),
    readings: [
      { device: gateway === 'gw-001' ? 'm-001' : 'm-002', ts: Date.now() - 1000, values: { p_kw: 1 }, quality: 'good' },
    ],
  });

t.test('MQTT: secrets and topic ACLs with mosquitto_pub and mosquitto_sub', async (t) => {
  const { log, lines } = captureLog();
  const cloud = await startTestCloud(t, { start: { log } });
  const common = ['-h', '127.0.0.1', '-p', port(cloud), '-q', '1'];

  const good = await mosquitto('mosquitto_pub', [
    ...common,
    '-u',
    'gw-001',
    '-P',
    'gw-001-demo-secret',
    '-t',
    topics.telemetry('gw-001'),
    '-m',
    batchJson('gw-001', 1),
  ]);
  t.equal(good.code, 0, `the right secret publishes (${good.stderr})`);
  t.equal((await cloud.ctx.series.raw({ device: 'm-001', from: 0, to: Date.now() })).length, 1);

  const wrong = await mosquitto('mosquitto_pub', [
    ...common,
    '-u',
    'gw-001',
    '-P',
    'not-the-secret',
    '-t',
    topics.telemetry('gw-001'),
    '-m',
    batchJson('gw-001', 2),
  ]);
  t.not(wrong.code, 0, 'a wrong secret is refused');
  t.match(wrong.stderr, /not authori[sz]ed|bad user name or password/i);
  const anonymous = await mosquitto('mosquitto_pub', [
    ...common,
    '-t',
    topics.telemetry('gw-001'),
    '-m',
    batchJson('gw-001', 3),
  ]);
  t.not(anonymous.code, 0, 'no login is refused');
  const unknown = await mosquitto('mosquitto_pub', [
    ...common,
    '-u',
    'gw-404',
    '-P',
    'gw-001-demo-secret',
    '-t',
    topics.telemetry('gw-404'),
    '-m',
    '{}',
  ]);
  t.not(unknown.code, 0, 'an unregistered gateway is refused');

  // gw-001 publishing on gw-002's topic (even with gw-002 named in the batch) is refused and nothing is stored.
  const spoof = await mosquitto('mosquitto_pub', [
    ...common,
    '-u',
    'gw-001',
    '-P',
    'gw-001-demo-secret',
    '-t',
    topics.telemetry('gw-002'),
    '-m',
    batchJson('gw-002', 1),
  ]);
  t.not(spoof.code, 0, 'publishing as another gateway fails');
  t.same(await cloud.ctx.series.raw({ device: 'm-002', from: 0, to: Date.now() }), [], 'nothing stored for gw-002');

  // gw-001 may not read gw-002's commands; it reads its own.
  const denied = await mosquitto('mosquitto_sub', [
    ...common,
    '-u',
    'gw-001',
    '-P',
    'gw-001-demo-secret',
    '-t',
    topics.commandFilter('gw-002'),
    '-C',
    '1',
    '-W',
    '3',
  ]);
  // mosquitto_sub reports a refused filter (SUBACK 0x80) and gives up without receiving anything.
  t.match(
    denied.stderr,
    /All subscription requests were denied/,
    "subscribing to another gateway's commands is refused",
  );
  t.equal(denied.stdout, '');
  const everything = await mosquitto('mosquitto_sub', [
    ...common,
    '-u',
    'gw-001',
    '-P',
    'gw-001-demo-secret',
    '-t',
    '#',
    '-C',
    '1',
    '-W',
    '3',
  ]);
  t.match(
    everything.stderr,
    /All subscription requests were denied/,
    'a wildcard subscription to everything is refused',
  );
  t.equal(everything.stdout, '');

  const own = mosquitto('mosquitto_sub', [
    ...common,
    '-u',
    'gw-001',
    '-P',
    'gw-001-demo-secret',
    '-t',
    topics.commandFilter('gw-001'),
    '-C',
    '1',
    '-W',
    '10',
    '-v',
  ]);
  // Publish the command repeatedly until the subscriber (a separate process) has subscribed and received it.
  let received: Awaited<typeof own> | null = null;
  void own.then((result) => (received = result));
  for (let i = 0; i < 50 && received === null; i++) {
    await cloud.broker?.publish(topics.command('gw-001', 'read-now'), '{"devices":["m-001"]}');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const ownResult = await own;
  t.equal(ownResult.code, 0, 'its own commands are delivered');
  t.match(ownResult.stdout, `${topics.command('gw-001', 'read-now')} {"devices":["m-001"]}`);

  const refusals = lines.filter((line) => /^refused/.test(String(line['msg'])));
  t.ok(
    refusals.some((l) => l['msg'] === 'refused an MQTT login' && l['username'] === 'gw-001'),
    'wrong secret logged',
  );
  t.ok(
    refusals.some((l) => String(l['msg']).startsWith('refused a publish') && l['topic'] === topics.telemetry('gw-002')),
    'spoofed publish logged',
  );
  t.ok(
    refusals.some(
      (l) => String(l['msg']).startsWith('refused a subscription') && l['topic'] === topics.commandFilter('gw-002'),
    ),
    'foreign subscription logged',
  );
  t.notOk(JSON.stringify(lines).includes('gw-001-demo-secret'), 'no secret in the log');
  t.notOk(JSON.stringify(lines).includes('not-the-secret'), 'not even a wrong one');
});

t.test(
  "MQTT: a gateway cannot use another gateway's client id; the same gateway's reconnect replaces its session",
  async (t) => {
    const { log, lines } = captureLog();
    const cloud = await startTestCloud(t, { start: { log } });
    const login = (gateway: string, secret: string, clientId: string) =>
      mqtt
        .connectAsync(cloud.mqttUrl, { clientId, username: gateway, password: secret, reconnectPeriod: 0 })
        .then((client) => {
          t.teardown(() => client.endAsync(true));
          return client;
        });
    const refusal = (promise: Promise<unknown>) =>
      promise.then(
        () => 'accepted',
        (error: Error) => error.message,
      );
    const real = await login('gw-002', 'gw-002-test-secret', 'gw-002');
    let realClosed = false;
    real.on('close', () => (realClosed = true));

    // gw-001, logged in with its own correct secret, tries gw-002's ids.
    t.match(await refusal(login('gw-001', 'gw-001-demo-secret', 'gw-002')), /identifier rejected/i, 'its id: refused');
    t.match(
      await refusal(login('gw-001', 'gw-001-demo-secret', 'gridsafe-gw-gw-002')),
      /identifier rejected/i,
      "the gateway program's default id for gw-002: refused",
    );
    const shared = await login('gw-002', 'gw-002-test-secret', 'any-id-0042');
    t.match(
      await refusal(login('gw-001', 'gw-001-demo-secret', 'any-id-0042')),
      /identifier rejected/i,
      "an id held by gw-002's connected client: refused",
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    t.equal(realClosed, false, 'the real gw-002 stayed connected');
    t.ok(real.connected && shared.connected);
    await real.publishAsync(topics.telemetry('gw-002'), batchJson('gw-002', 1), { qos: 1 });
    t.equal(
      (await cloud.ctx.series.raw({ device: 'm-002', from: 0, to: Date.now() })).length,
      1,
      'and still publishes',
    );

    // gw-002 itself reconnecting with the same id replaces its old session.
    const again = await login('gw-002', 'gw-002-test-secret', 'gw-002');
    for (let i = 0; i < 50 && !realClosed; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    t.equal(realClosed, true, 'the old session is closed');
    await again.publishAsync(topics.telemetry('gw-002'), batchJson('gw-002', 2), { qos: 1 });
    t.equal((await cloud.ctx.series.raw({ device: 'm-002', from: 0, to: Date.now() })).length, 2);

    t.equal(await metric(cloud, 'gridsafe_mqtt_refused_total', 'kind="client_id"'), 3, 'refusals counted');
    t.equal(
      lines.filter(
        (l) => l['msg'] === 'refused an MQTT login: client id of another gateway' && l['username'] === 'gw-001',
      ).length,
      3,
      'and logged',
    );
  },
);

async function asUser(cloud: TestCloud, token: string | null, path: string, init: RequestInit = {}) {
  const headers = {
    ...(init.body ? { 'content-type': 'application/json' } : {}),
    ...(token ? { authorization: `Bearer ${token}` } : {}),
  };
  return cloud.api(path, { ...init, headers });
}

t.test('HTTP: tokens, roles and areas', async (t) => {
  const { log, lines } = captureLog();
  const cloud = await startTestCloud(t, {
    start: { log },
    config: {
      api: {
        auth: true,
        users: [
          { name: 'root', role: 'admin', token: 'admin-token-0123456789' },
          { name: 'ann', role: 'inspector', token: 'ann-token-0123456789', areas: ['north'] },
          { name: 'sam', role: 'inspector', token: 'sam-token-0123456789', areas: ['south'] },
          { name: 'aud', role: 'auditor', token: 'aud-token-0123456789' },
        ],
      },
    },
  });
  const now = Date.now();
  const { alert } = await cloud.ctx.alerts.raise({
    type: 'overload',
    subject: 'tx-001',
    subjectKind: 'transformer',
    severity: 'warning',
    ts: now,
    evidence: {},
  });

  t.equal((await asUser(cloud, null, '/api/v1/alerts')).status, 401, 'no token');
  t.equal((await asUser(cloud, 'wrong-token-0123456789', '/api/v1/alerts')).status, 401, 'unknown token');
  t.equal((await asUser(cloud, null, '/healthz')).status, 200, 'probes need no token');

  // tx-001 is in area "north": ann sees and acknowledges it, sam sees nothing and may not touch it.
  const annList = (await (await asUser(cloud, 'ann-token-0123456789', '/api/v1/alerts')).json()) as { total: number };
  t.equal(annList.total, 1);
  const samList = (await (await asUser(cloud, 'sam-token-0123456789', '/api/v1/alerts')).json()) as { total: number };
  t.equal(samList.total, 0, 'an inspector sees no alerts outside their areas');
  t.equal((await asUser(cloud, 'sam-token-0123456789', `/api/v1/alerts/${alert.id}`)).status, 403);
  const samAck = await asUser(cloud, 'sam-token-0123456789', `/api/v1/alerts/${alert.id}/ack`, {
    method: 'POST',
    body: '{}',
  });
  t.equal(samAck.status, 403);
  t.equal((await cloud.ctx.alerts.get(alert.id))?.state, 'open', 'the refused ack changed nothing');
  t.equal(
    (await asUser(cloud, 'sam-token-0123456789', '/api/v1/devices/m-001/series')).status,
    403,
    'nor the series of a device outside the areas',
  );
  const annAck = await asUser(cloud, 'ann-token-0123456789', `/api/v1/alerts/${alert.id}/ack`, {
    method: 'POST',
    body: '{"note":"on my way"}',
  });
  t.equal(annAck.status, 200);
  t.match(await annAck.json(), { state: 'acknowledged', notes: [{ actor: 'ann' }] });

  // The auditor reads everything but cannot change the registry.
  t.equal((await asUser(cloud, 'aud-token-0123456789', '/api/v1/alerts')).status, 200);
  const before = await (await asUser(cloud, 'admin-token-0123456789', '/api/v1/transformers')).json();
  const audPost = await asUser(cloud, 'aud-token-0123456789', '/api/v1/transformers', {
    method: 'POST',
    body: JSON.stringify({ id: 'tx-x', site: 'x', ratedKva: 1 }),
  });
  t.equal(audPost.status, 403);
  t.match(audPost.headers.get('content-type'), /problem\+json/);
  t.equal(
    (await asUser(cloud, 'aud-token-0123456789', '/api/v1/transformers/tx-001', { method: 'DELETE' })).status,
    403,
  );
  t.equal(
    (await asUser(cloud, 'ann-token-0123456789', '/api/v1/transformers/tx-001', { method: 'DELETE' })).status,
    403,
  );
  t.same(
    await (await asUser(cloud, 'admin-token-0123456789', '/api/v1/transformers')).json(),
    before,
    'registry unchanged',
  );
  t.equal(
    (
      await asUser(cloud, 'admin-token-0123456789', '/api/v1/transformers', {
        method: 'POST',
        body: JSON.stringify({ id: 'tx-x', site: 'x', ratedKva: 1 }),
      })
    ).status,
    201,
    'an admin may',
  );

  const refusals = lines.filter((line) => /^refused/.test(String(line['msg'])));
  t.ok(refusals.some((l) => l['msg'] === 'refused an inspector outside their areas' && l['user'] === 'sam'));
  t.ok(refusals.some((l) => l['msg'] === 'refused an API request: role not allowed' && l['user'] === 'aud'));
  t.ok(refusals.some((l) => l['msg'] === 'refused an API request with an unknown token'));
  const text = JSON.stringify(lines);
  t.notOk(
    text.includes('aud-token-0123456789') || text.includes('wrong-token-0123456789'),
    'tokens never reach the log',
  );
});

t.test('HTTP: rate limit answers 429 with a problem document', async (t) => {
  const cloud = await startTestCloud(t, { config: { http: { rateLimitPerMinute: 5 } } });
  const statuses: number[] = [];
  for (let i = 0; i < 7; i++) statuses.push((await cloud.api('/api/v1/transformers')).status);
  t.same(statuses, [200, 200, 200, 200, 200, 429, 429]);
  const limited = await cloud.api('/api/v1/customers');
  t.match(limited.headers.get('content-type'), /problem\+json/);
  t.match(await limited.json(), { status: 429, type: 'urn:gridsafe:problem:rate_limited' });
  t.equal((await cloud.api('/healthz')).status, 200, 'probes are never limited');
});

t.test('MQTT over TLS when certificates are configured (mosquitto_pub with the CA file)', async (t) => {
  const { execFileSync } = await import('node:child_process');
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = mkdtempSync(join(tmpdir(), 'gridsafe-tls-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  const cloud = await startTestCloud(t, {
    config: { mqtt: { tls: { certFile: join(dir, 'cert.pem'), keyFile: join(dir, 'key.pem'), port: 0 } } },
  });
  const tlsPort = String(cloud.broker?.tlsPort);
  const args = [
    '-h',
    '127.0.0.1',
    '-p',
    tlsPort,
    '--cafile',
    join(dir, 'cert.pem'),
    '-q',
    '1',
    '-u',
    'gw-001',
    '-P',
    'gw-001-demo-secret',
    '-t',
    topics.telemetry('gw-001'),
    '-m',
    batchJson('gw-001', 1),
  ];
  const result = await mosquitto('mosquitto_pub', args);
  t.equal(result.code, 0, `published over TLS (${result.stderr})`);
  t.equal((await cloud.ctx.series.raw({ device: 'm-001', from: 0, to: Date.now() })).length, 1);
  const plain = await mosquitto(
    'mosquitto_pub',
    [
      '-h',
      '127.0.0.1',
      '-p',
      tlsPort,
      '-q',
      '1',
      '-u',
      'gw-001',
      '-P',
      'gw-001-demo-secret',
      '-t',
      topics.telemetry('gw-001'),
      '-m',
      batchJson('gw-001', 2),
    ],
    5000,
  );
  t.not(plain.code, 0, 'plain MQTT on the TLS port fails');
});

t.test('HTTP: a token or secret sent in a header, the query or a body never reaches the log', async (t) => {
  const { log, lines } = captureLog();
  const cloud = await startTestCloud(t, {
    start: { log },
    config: {
      api: {
        auth: true,
        users: [
          { name: 'root', role: 'admin', token: 'redact-admin-token-0123' },
          { name: 'aud', role: 'auditor', token: 'redact-auditor-token-0123' },
        ],
      },
    },
  });
  const json = { 'content-type': 'application/json' };
  const sent = [
    await cloud.api('/api/v1/devices', { headers: { authorization: 'Bearer header-guess-token-0123' } }),
    await cloud.api('/api/v1/devices?token=query-token-0123456'),
    await cloud.api('/api/v1/devices?limit=5&access_token=query-access-token-0123'),
    await cloud.api('/api/v1/devices?api%5Fkey=query-api-key-0123', {
      headers: { authorization: 'Bearer redact-admin-token-0123' },
    }),
    // Refused by role, with the token in the query as well: the refusal's log line names the path only.
    await cloud.api('/api/v1/transformers/tx-001?token=redact-auditor-token-0123', {
      method: 'DELETE',
      headers: { authorization: 'Bearer redact-auditor-token-0123' },
    }),
    await cloud.api('/api/v1/gateways', {
      method: 'POST',
      headers: { ...json, authorization: 'Bearer redact-auditor-token-0123' },
      body: JSON.stringify({ id: 'gw-009', secret: 'body-secret-refused-0123' }),
    }),
    await cloud.api('/api/v1/gateways', {
      method: 'POST',
      headers: { ...json, authorization: 'Bearer redact-admin-token-0123' },
      body: JSON.stringify({ id: 'gw-009', secret: 'body-secret-invalid-0123', token: 'body-token-unknown-0123' }),
    }),
    await cloud.api('/api/v1/gateways', {
      method: 'POST',
      headers: { ...json, authorization: 'Bearer redact-admin-token-0123' },
      body: JSON.stringify({ id: 'gw-009', secret: 'body-secret-stored-0123' }),
    }),
  ];
  t.same(
    sent.map((response) => response.status),
    [401, 401, 401, 400, 403, 403, 400, 201],
  );
  const requestLines = lines.filter((line) => line['msg'] === 'request completed');
  t.ok(
    requestLines.some((line) =>
      /\/api\/v1\/devices\?token=\[redacted\]$/.test(
        JSON.stringify(line['req']).split('"url":"')[1]?.split('"')[0] ?? '',
      ),
    ),
    'the request log keeps the path and the parameter name',
  );
  const text = lines.map((line) => JSON.stringify(line)).join('\n');
  for (const secret of [
    'header-guess-token-0123',
    'query-token-0123456',
    'query-access-token-0123',
    'query-api-key-0123',
    'redact-admin-token-0123',
    'redact-auditor-token-0123',
    'body-secret-refused-0123',
    'body-secret-invalid-0123',
    'body-token-unknown-0123',
    'body-secret-stored-0123',
  ])
    t.notOk(text.includes(secret), `${secret} is not in the log`);
});

t.test('no secret used in this file appears in any log line of its clouds', async (t) => {
  t.ok(everyLogLine.length > 100, `the log was captured (${everyLogLine.length} lines)`);
  const secret = /[a-z0-9-]*(secret|token)[a-z0-9-]*-0123(456789)?|gw-00[12]-[a-z-]*secret|not-the-secret/gi;
  const found = new Set(everyLogLine.flatMap((line) => line.match(secret) ?? []));
  t.same([...found], [], 'no token, secret or password');
});

t.test('failed logins are paced per address: HTTP tokens and MQTT secrets, then 429 with Retry-After', async (t) => {
  const { log, lines } = captureLog();
  const cloud = await startTestCloud(t, {
    start: { log },
    config: { api: { auth: true, users: [{ name: 'root', role: 'admin', token: 'pace-admin-token-0123' }] } },
  });
  // A guesser sends a new token each time (the per-token request limit never sees it twice).
  const statuses: number[] = [];
  for (let i = 0; i < 30; i++)
    statuses.push(
      (await cloud.api('/api/v1/devices', { headers: { authorization: `Bearer guess-${i}-token-0123` } })).status,
    );
  t.same(statuses.slice(0, 10), Array(10).fill(401), 'the first ten wrong tokens: 401');
  t.same(statuses.slice(10), Array(20).fill(429), 'then 429, every time');
  const paced = await cloud.api('/api/v1/devices', { headers: { authorization: 'Bearer pace-admin-token-0123' } });
  t.equal(paced.status, 429, 'even the right token, from the same address, until the window ends');
  const retryAfter = Number(paced.headers.get('retry-after'));
  t.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After: ${retryAfter} s`);
  t.match(paced.headers.get('content-type'), /problem\+json/);
  t.match(await paced.json(), { status: 429, type: 'urn:gridsafe:problem:too_many_failed_logins' });
  t.equal((await cloud.api('/healthz')).status, 200, 'probes need no login and are not paced');
  t.equal(await metric(cloud, 'gridsafe_auth_refused_total', 'protocol="http",reason="wrong_token"'), 10);
  t.equal(await metric(cloud, 'gridsafe_auth_refused_total', 'protocol="http",reason="throttled"'), 21);
  t.ok(
    lines.some((l) => l['msg'] === 'refused an API request: too many failed logins from this address'),
    'logged',
  );

  // MQTT logins from another cloud's point of view (fresh count): wrong secrets, then even the right one is refused.
  const mqttCloud = await startTestCloud(t, { start: { log } });
  const login = (secret: string) =>
    mqtt
      .connectAsync(mqttCloud.mqttUrl, { clientId: 'gw-001', username: 'gw-001', password: secret, reconnectPeriod: 0 })
      .then(
        async (client) => {
          await client.endAsync(true);
          return 'accepted';
        },
        (error: Error) => error.message,
      );
  const outcomes: string[] = [];
  for (let i = 0; i < 12; i++) outcomes.push(await login(`guess-${i}-secret-0123`));
  t.match(outcomes.slice(0, 10), Array(10).fill(/bad user ?name or password/i), 'ten wrong secrets refused');
  t.match(outcomes.slice(10), Array(2).fill(/not authori[sz]ed/i), 'then refused without being checked');
  t.match(await login('gw-001-demo-secret'), /not authori[sz]ed/i, 'even the right secret, for now');
  t.equal(await metric(mqttCloud, 'gridsafe_auth_refused_total', 'protocol="mqtt",reason="wrong_secret"'), 10);
  t.equal(await metric(mqttCloud, 'gridsafe_auth_refused_total', 'protocol="mqtt",reason="throttled"'), 3);
  t.ok(
    lines.some((l) => l['msg'] === 'refused an MQTT login: too many failed logins from this address'),
    'logged',
  );
});
