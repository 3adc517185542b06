/**
 * The runtime image can write its data volumes (no Docker engine here, so read from the
 * Dockerfile): a named volume starts as a copy of the image's folder at that path, with
 * its owner, so every VOLUME of the last stage must be made and handed to the runtime
 * USER by a RUN (or COPY --chown) before the VOLUME line (changes after it are
 * discarded), and every path docker-compose mounts a named volume on must be one of them.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

/** Instructions of a Dockerfile (continuation lines joined, comments dropped), by stage. */
function stagesOf(text: string): Instruction[][] {
  const stages: Instruction[][] = [];
  let pending = '';
  let startLine = 0;
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (!pending && (line === '' || line.startsWith('#'))) return;
    if (!pending) startLine = index + 1;
    pending += ` ${line.replace(/\\$/, '')}`;
    if (line.endsWith('\\')) return;
    const [, keyword = '', args = ''] = /^\s*(\S+)\s*(.*)$/.exec(pending) ?? [];
    pending = '';
    const instruction = { keyword: keyword.toUpperCase(), args: args.trim(), line: startLine };
    if (instruction.keyword === 'FROM') stages.push([]);
    stages.at(-1)?.push(instruction);
  });
  return stages;
}

/** VOLUME ["/a", "/b"] or VOLUME /a /b */
const volumePaths = (args: string): string[] =>
  args.startsWith('[') ? (JSON.parse(args) as string[]) : args.split(/\s+/).filter(Boolean);

/** What the shell commands of one RUN do to folders: made (mkdir) and owned (chown) by whom. */
function folderEffects(command: string): { made: Set<string>; ownedBy: Map<string, string> } {
  const made = new Set<string>();
  const ownedBy = new Map<string, string>();
  for (const step of command.split(/&&|;|\|\|/)) {
    const words = step.trim().split(/\s+/);
    const operands = words.slice(1).filter((word) => !word.startsWith('-'));
    if (words[0] === 'mkdir') operands.forEach((path) => made.add(path));
    if (words[0] === 'chown') {
      const [owner = '', ...paths] = operands;
      paths.forEach((path) => ownedBy.set(path, owner.split(':')[0] ?? ''));
    }
  }
  return { made, ownedBy };
}

t.test('every declared VOLUME of the runtime image exists and belongs to its USER', async (t) => {
  const stages = stagesOf(readFileSync(`${root}/Dockerfile`, 'utf8'));
  const runtime = stages.at(-1) ?? [];
  const user = runtime
    .filter((i) => i.keyword === 'USER')
    .at(-1)
    ?.args.split(':')[0];
  t.ok(user && user !== 'root' && user !== '0', `the runtime stage runs as an unprivileged user (${user})`);
  const volumes = runtime.filter((i) => i.keyword === 'VOLUME');
  t.ok(volumes.length > 0, 'the runtime stage declares its data volume');
  for (const volume of volumes) {
    const before = runtime.filter((i) => i.line < volume.line);
    for (const path of volumePaths(volume.args)) {
      const made = new Set<string>();
      const ownedBy = new Map<string, string>();
      for (const instruction of before) {
        if (instruction.keyword === 'RUN') {
          const effects = folderEffects(instruction.args);
          effects.made.forEach((p) => made.add(p));
          effects.ownedBy.forEach((owner, p) => ownedBy.set(p, owner));
        }
        const chownCopy = /^--chown=(\S+)\s.*\s(\S+)$/.exec(instruction.args);
        if (instruction.keyword === 'COPY' && chownCopy) {
          made.add(chownCopy[2] as string);
          ownedBy.set(chownCopy[2] as string, (chownCopy[1] as string).split(':')[0] as string);
        }
      }
      t.ok(made.has(path), `${path} is made in the image before line ${volume.line} (VOLUME)`);
      t.equal(ownedBy.get(path), user, `${path} belongs to the runtime user ${user} before line ${volume.line}`);
    }
  }
});

t.test('docker-compose mounts named volumes only on declared, writable VOLUME paths', async (t) => {
  const compose = parse(readFileSync(`${root}/docker-compose.yml`, 'utf8')) as {
    services: Record<string, { build?: unknown; volumes?: string[] }>;
    volumes?: Record<string, unknown>;
  };
  const named = Object.keys(compose.volumes ?? {});
  const runtime = stagesOf(readFileSync(`${root}/Dockerfile`, 'utf8')).at(-1) ?? [];
  const declared = runtime.filter((i) => i.keyword === 'VOLUME').flatMap((i) => volumePaths(i.args));
  const mounts = Object.entries(compose.services)
    .filter(([, service]) => service.build !== undefined)
    .flatMap(([name, service]) =>
      (service.volumes ?? [])
        .map((volume) => volume.split(':'))
        .filter(([source]) => named.includes(source ?? ''))
        .map(([, target]) => ({ name, target: target ?? '' })),
    );
  t.ok(mounts.length > 0, 'the services built from the Dockerfile keep data in named volumes');
  for (const mount of mounts)
    t.ok(declared.includes(mount.target), `${mount.name}: ${mount.target} is a VOLUME of the image (${declared})`);
});
