/**
 * Which detection partition owns each subject (cluster mode). Subjects that share state
 * through the registry go together: a device, its transformer and its customer are joined
 * (union-find over the registry's devices), so a transformer whose meters report through
 * gateways in different places, or a customer metered on two gateways, has one owner. A
 * group's partition is the hash (partition-of.ts) of its transformer (else customer, else
 * device) with the smallest id. A gateway's own subjects (comm_loss, and devices the
 * registry does not know) go to its home: the partition of its devices when they are all
 * in one (the usual shape, a site behind one gateway: its batches then feed one partition
 * only), else the hash of its id. A gateway's batches and events go to every partition
 * owning a subject they feed: its home and its devices'.
 * Regrouped only by `changed()` (when the registry's devices changed), which the owner
 * calls between its steps, so one step sees one grouping; it says whether a subject moved.
 */
import type { SubjectRef } from '../detector-kit/detector.js';
import type { RegistrySnapshot } from '../storage/relational/registry-snapshot.js';
import { partitionOf } from './partition-of.js';

/** Member keys; the prefixes rank transformers first, then customers, then devices, as a group's name. */
const keyOf = {
  /** Not a group member: where the gateway's own subjects go. */
  gateway: (id: string) => `0:${id}`,
  transformer: (id: string) => `1:${id}`,
  customer: (id: string) => `2:${id}`,
  device: (id: string) => `3:${id}`,
};

export class SubjectPartitions {
  private generation = -1;
  /** Partition of each member key of a group, and each gateway's home. */
  private partitionByKey = new Map<string, number>();
  private gatewayPartitions = new Map<string, number[]>();

  constructor(
    private readonly registry: RegistrySnapshot,
    private readonly partitions: number,
  ) {}

  /** Regroups if the registry changed; true when some subject's partition is not what it was. */
  changed(): boolean {
    if (this.registry.generation === this.generation) return false;
    const before = this.partitionByKey;
    this.regroup();
    if (before.size !== this.partitionByKey.size) return true;
    for (const [key, partition] of this.partitionByKey) if (before.get(key) !== partition) return true;
    return false;
  }

  /** The partition owning a subject, fed through `gateway` (as grouped at the last `changed()`). */
  ofSubject(ref: SubjectRef, gateway: string): number {
    if (ref.kind === 'gateway') return this.home(ref.subject);
    const kind = ref.kind === 'transformer' || ref.kind === 'customer' ? ref.kind : 'device';
    return this.partitionByKey.get(keyOf[kind](ref.subject)) ?? this.home(gateway);
  }

  /** Partitions that need a gateway's batches and events: its home and those of its devices' groups. */
  ofGateway(gateway: string): readonly number[] {
    let found = this.gatewayPartitions.get(gateway);
    if (!found) {
      const set = new Set([this.home(gateway)]);
      for (const device of this.registry.devicesOfGateway(gateway)) {
        const partition = this.partitionByKey.get(keyOf.device(device.id));
        if (partition !== undefined) set.add(partition);
      }
      found = [...set].sort((a, b) => a - b);
      this.gatewayPartitions.set(gateway, found);
    }
    return found;
  }

  private home(gateway: string): number {
    return this.partitionByKey.get(keyOf.gateway(gateway)) ?? partitionOf(gateway, this.partitions);
  }

  private regroup(): void {
    this.generation = this.registry.generation;
    const parent = new Map<string, string>();
    const find = (key: string): string => {
      let root = key;
      for (let up = parent.get(root); up !== undefined && up !== root; up = parent.get(root)) root = up;
      parent.set(key, root);
      return root;
    };
    const join = (a: string, b: string) => {
      const [ra, rb] = [find(a), find(b)];
      // The smaller key names the group: the name does not depend on the order of the devices.
      if (ra !== rb) parent.set(ra < rb ? rb : ra, ra < rb ? ra : rb);
    };
    for (const device of this.registry.allDevices()) {
      const key = keyOf.device(device.id);
      parent.set(key, parent.get(key) ?? key);
      if (device.transformer !== undefined) join(key, keyOf.transformer(device.transformer));
      if (device.customer !== undefined) join(key, keyOf.customer(device.customer));
    }
    this.partitionByKey = new Map(
      [...parent.keys()].map((key) => [key, partitionOf(find(key).slice(2), this.partitions)]),
    );
    const devicePartitions = new Map<string, Set<number>>();
    for (const device of this.registry.allDevices()) {
      const partition = this.partitionByKey.get(keyOf.device(device.id)) as number;
      const set = devicePartitions.get(device.gateway);
      if (set) set.add(partition);
      else devicePartitions.set(device.gateway, new Set([partition]));
    }
    for (const [gateway, set] of devicePartitions)
      this.partitionByKey.set(
        keyOf.gateway(gateway),
        set.size === 1 ? (set.values().next().value as number) : partitionOf(gateway, this.partitions),
      );
    this.gatewayPartitions = new Map();
  }
}
