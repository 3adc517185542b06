/**
 * The cloud's Prometheus metrics, in the text exposition format. Small and
 * dependency-free: counters with labels, gauges read at scrape time, and one
 * histogram for store latency.
 */
import { REJECT_REASONS } from '@gridsafe/shared';

type Labels = Record<string, string>;

const labelKey = (labels: Labels) =>
  Object.keys(labels)
    .sort()
    .map(
      (name) => `${name}="${String(labels[name]).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`,
    )
    .join(',');

class Counter {
  private readonly values = new Map<string, number>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}
  inc(labels: Labels = {}, by = 1): void {
    const key = labelKey(labels);
    this.values.set(key, (this.values.get(key) ?? 0) + by);
  }
  get(labels: Labels = {}): number {
    return this.values.get(labelKey(labels)) ?? 0;
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    for (const [key, value] of this.values) lines.push(`${this.name}${key ? `{${key}}` : ''} ${value}`);
    return lines.join('\n');
  }
}

class Histogram {
  private readonly counts: number[];
  private sum = 0;
  private count = 0;
  constructor(
    readonly name: string,
    readonly help: string,
    readonly buckets: number[],
  ) {
    this.counts = buckets.map(() => 0);
  }
  observe(value: number): void {
    this.sum += value;
    this.count++;
    for (let i = 0; i < this.buckets.length; i++)
      if (value <= (this.buckets[i] as number)) this.counts[i] = (this.counts[i] as number) + 1;
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    this.buckets.forEach((bound, i) => lines.push(`${this.name}_bucket{le="${bound}"} ${this.counts[i]}`));
    lines.push(
      `${this.name}_bucket{le="+Inf"} ${this.count}`,
      `${this.name}_sum ${this.sum}`,
      `${this.name}_count ${this.count}`,
    );
    return lines.join('\n');
  }
}

export class CloudMetrics {
  readonly batchesStored = new Counter('gridsafe_ingest_batches_total', 'Telemetry batches stored');
  readonly readingsStored = new Counter('gridsafe_ingest_readings_total', 'Readings stored');
  readonly valuesStored = new Counter(
    'gridsafe_ingest_values_total',
    'Reading values stored (rate() of this is the ingest rate)',
  );
  readonly duplicates = new Counter('gridsafe_ingest_duplicates_total', 'Redelivered batches acknowledged and ignored');
  readonly rejected = new Counter('gridsafe_ingest_rejected_total', 'Telemetry batches rejected, by reason');
  readonly storeErrors = new Counter(
    'gridsafe_store_errors_total',
    'Failed attempts to store a batch (retried: backpressure)',
  );
  readonly mqttAuthFailures = new Counter(
    'gridsafe_mqtt_refused_total',
    'MQTT logins, publishes and subscriptions refused, by kind',
  );
  readonly detectionErrors = new Counter(
    'gridsafe_detection_errors_total',
    'Errors raised by detection while processing',
  );
  readonly storeLatency = new Histogram(
    'gridsafe_store_latency_seconds',
    'Time to store one batch durably',
    [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  );
  private readonly gauges: Array<{ name: string; help: string; read: () => number }> = [];

  constructor() {
    for (const reason of REJECT_REASONS) this.rejected.inc({ reason }, 0);
  }

  gauge(name: string, help: string, read: () => number): void {
    this.gauges.push({ name, help, read });
  }

  render(): string {
    const parts = [
      this.batchesStored,
      this.readingsStored,
      this.valuesStored,
      this.duplicates,
      this.rejected,
      this.storeErrors,
      this.mqttAuthFailures,
      this.detectionErrors,
    ].map((metric) => metric.render());
    parts.push(this.storeLatency.render());
    for (const gauge of this.gauges)
      parts.push(`# HELP ${gauge.name} ${gauge.help}\n# TYPE ${gauge.name} gauge\n${gauge.name} ${gauge.read()}`);
    parts.push(
      `# HELP process_resident_memory_bytes Resident memory\n# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes ${process.memoryUsage().rss}`,
    );
    return `${parts.join('\n')}\n`;
  }
}
