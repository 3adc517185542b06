/**
 * The cloud's Prometheus metrics, kept in a prom-client registry of this service's own
 * (not the global one, so two services in one process, as in tests, never share counts).
 * prom-client also brings the standard process and event-loop metrics (`process_*`,
 * `nodejs_*`), which is why it replaced the hand-written exposition format.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { REJECT_REASONS } from '@gridsafe/shared';
import { OWNERSHIP_REJECT_REASONS } from '../ingest/pipeline.js';

export class CloudMetrics {
  readonly registry = new Registry();
  readonly batchesStored = this.counter('gridsafe_ingest_batches_total', 'Telemetry batches stored');
  readonly readingsStored = this.counter('gridsafe_ingest_readings_total', 'Readings stored');
  readonly valuesStored = this.counter(
    'gridsafe_ingest_values_total',
    'Reading values stored (rate() of this is the ingest rate)',
  );
  readonly duplicates = this.counter(
    'gridsafe_ingest_duplicates_total',
    'Redelivered batches acknowledged and ignored',
  );
  readonly rejected = this.counter('gridsafe_ingest_rejected_total', 'Telemetry batches rejected, by reason', [
    'reason',
  ]);
  readonly storeErrors = this.counter(
    'gridsafe_store_errors_total',
    'Failed attempts to store a batch (retried: backpressure)',
  );
  readonly mqttAuthFailures = this.counter(
    'gridsafe_mqtt_refused_total',
    'MQTT logins, publishes and subscriptions refused, by kind',
    ['kind'],
  );
  readonly authRefused = this.counter(
    'gridsafe_auth_refused_total',
    'Logins refused (HTTP API tokens, MQTT gateway secrets), by protocol and reason (wrong_token, wrong_secret, throttled)',
    ['protocol', 'reason'],
  );
  readonly detectionErrors = this.counter(
    'gridsafe_detection_errors_total',
    'Errors raised by detection while processing',
    ['kind'],
  );
  readonly storeLatency = new Histogram({
    name: 'gridsafe_store_latency_seconds',
    help: 'Time to store one batch durably',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    // Every reason is listed from the start, so a dashboard sees 0 rather than no series.
    for (const reason of [...REJECT_REASONS, ...OWNERSHIP_REJECT_REASONS]) this.rejected.inc({ reason }, 0);
  }

  /** A gauge whose value is read when Prometheus scrapes. */
  gauge(name: string, help: string, read: () => number): void {
    new Gauge({
      name,
      help,
      registers: [this.registry],
      collect() {
        this.set(read());
      },
    });
  }

  /** A gauge with one label, read when Prometheus scrapes: one series per [label value, value] given. */
  labelledGauge(name: string, help: string, label: string, read: () => Array<[string, number]>): void {
    new Gauge({
      name,
      help,
      labelNames: [label],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const [value, n] of read()) this.set({ [label]: value }, n);
      },
    });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }

  private counter<Label extends string = never>(name: string, help: string, labelNames: Label[] = []): Counter<Label> {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }
}
