/** Reading a running service over HTTP in tests: its JSON API and its Prometheus /metrics page. */

/** GET a JSON document; any answer but 2xx throws, naming `what` was asked, the status and the body. */
export async function getJson<T>(url: string, what: string): Promise<T> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${what}: HTTP ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

export interface MetricSample {
  name: string;
  /** The labels as the page writes them (`a="1",b="2"`), '' for none. */
  labels: string;
  value: number;
}

/** Every sample line of the Prometheus text page at `url` (comments and blank lines skipped). */
export async function metricSamples(url: string): Promise<MetricSample[]> {
  const samples: MetricSample[] = [];
  for (const line of (await (await fetch(url)).text()).split('\n')) {
    const match = /^([a-z_]+)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (match?.[1]) samples.push({ name: match[1], labels: match[2] ?? '', value: Number(match[3]) });
  }
  return samples;
}
