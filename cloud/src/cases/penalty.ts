/**
 * Penalty estimate for a confirmed capacity case (私自增容 / 超容用电), under rules that
 * are configuration. Pure: figures in, itemised estimate out, every line with its formula
 * and the rule it comes from, so an auditor can check it by hand.
 */
import {
  ConfigSource,
  Section,
  Type,
  checkSchema,
  type AddedKvaBasis,
  type PenaltyEstimate,
  type PenaltyItem,
  type Static,
  type Tariff,
} from '@gridsafe/shared';

import { formatMessage } from '../messages/catalog.js';

export interface PenaltyRules {
  /** Short name of the rule set, shown on the report. */
  name: string;
  /** The article the capacity rule comes from. */
  citation: string;
  /** Anything the reader of the estimate must know about the rule set (English)... */
  note: string;
  /** ...and in Chinese (the configured note when only one is given). */
  noteZh: string;
  twoPart: {
    /** Basic (capacity) tariff, yuan per kVA per month, of the customer's province. */
    basicTariffYuanPerKvaMonth: number;
    /** 违约使用电费 as a multiple of the basic tariff on the added capacity. */
    penaltyMultiplier: number;
  };
  single: {
    /** 违约使用电费 per kVA of added capacity, for customers not on the two-part tariff. */
    yuanPerKva: number;
  };
  /** 国家电网财〔2016〕633号: demand above a share of the contracted demand is charged at a multiple. */
  demandRule: {
    enabled: boolean;
    thresholdRatio: number;
    multiplier: number;
    demandTariffYuanPerKwMonth: number;
    citation: string;
  };
  /** Length of a "month used" when counting from first to last seen. */
  daysPerMonth: number;
}

/**
 * Defaults: FACTS.md, 供电营业规则 (1996) Art. 100 item 2 — two-part tariff users pay the basic
 * tariff on the added capacity for each month used plus 3 × the basic tariff on the added
 * capacity; other users pay 50 yuan per kVA. The 2024 revision (NDRC Order No. 14) is
 * unconfirmed, hence configuration. FACTS.md: 国家电网财〔2016〕633号 — above 105 % of the
 * contracted demand, the basic charge on the part above is charged twice.
 * The two tariffs (yuan/kVA·month, yuan/kW·month) are NOT in FACTS.md: they differ by
 * province and year; the defaults only give the estimate a scale and must be set per site.
 */
const DEFAULT_NOTE = { code: 'penalty.default_note' };

export const DEFAULT_PENALTY_RULES: PenaltyRules = {
  name: '供电营业规则 (1996)',
  citation: '供电营业规则 (1996) 第一百条第二项 / Supply Business Rules (1996) Art. 100 item 2',
  note: formatMessage(DEFAULT_NOTE, 'en'),
  noteZh: formatMessage(DEFAULT_NOTE, 'zh'),
  twoPart: { basicTariffYuanPerKvaMonth: 30, penaltyMultiplier: 3 },
  single: { yuanPerKva: 50 },
  demandRule: {
    enabled: false,
    thresholdRatio: 1.05,
    multiplier: 2,
    demandTariffYuanPerKwMonth: 40,
    citation: '国家电网财〔2016〕633号',
  },
  daysPerMonth: 30,
};

export interface PenaltyInput {
  tariff: Tariff;
  contractKva: number;
  /** Highest 15-minute demand, kW (kVA where only apparent power is known). */
  maxDemandKw: number;
  /** Capacity added without approval by active demand, kVA (the case's excess over contract): a lower bound. */
  excessKva: number;
  /** Highest apparent 15-minute demand, kVA, when recorded. */
  maxDemandKva?: number | null;
  /** Nameplate capacity of the equipment the field check found, kVA, when recorded. */
  nameplateKva?: number | null;
  firstSeen: number;
  lastSeen: number;
}

const round2 = (x: number) => Math.round(x * 100) / 100;

/** The added capacity and what it was taken from: nameplate found, else apparent demand, else active demand. */
export function addedCapacity(input: PenaltyInput): { kva: number; basis: AddedKvaBasis; formula: string } {
  const contract = `contract ${round2(input.contractKva)} kVA`;
  if (input.nameplateKva != null) {
    return {
      kva: round2(Math.max(0, input.nameplateKva - input.contractKva)),
      basis: 'nameplate',
      formula: `nameplate found ${round2(input.nameplateKva)} kVA − ${contract}`,
    };
  }
  if (input.maxDemandKva != null) {
    return {
      kva: round2(Math.max(0, input.maxDemandKva - input.contractKva)),
      basis: 'apparent_demand',
      formula: `apparent maximum demand ${round2(input.maxDemandKva)} kVA − ${contract}`,
    };
  }
  return {
    kva: round2(Math.max(0, input.excessKva)),
    basis: 'active_demand',
    formula: `active maximum demand ${round2(input.maxDemandKw)} kW − ${contract} (a lower bound)`,
  };
}

/** Whole months from first to last seen, at least one: a month begun is a month used. */
export function monthsUsed(firstSeen: number, lastSeen: number, daysPerMonth: number): number {
  const span = Math.max(0, lastSeen - firstSeen);
  return Math.max(1, Math.ceil(span / (daysPerMonth * 86_400_000)));
}

export function estimatePenalty(input: PenaltyInput, rules: PenaltyRules = DEFAULT_PENALTY_RULES): PenaltyEstimate {
  const added = addedCapacity(input);
  const addedKva = added.kva;
  const months = monthsUsed(input.firstSeen, input.lastSeen, rules.daysPerMonth);
  const items: PenaltyItem[] = [];
  if (input.tariff === 'two_part') {
    const rate = rules.twoPart.basicTariffYuanPerKvaMonth;
    items.push({
      key: 'basic_tariff_months',
      label: 'Basic tariff on the added capacity for the months used',
      labelZh: '补交私增容量使用月数的基本电费',
      formula: `${addedKva} kVA × ${rate} yuan/kVA·month × ${months} month${months === 1 ? '' : 's'}`,
      amountYuan: round2(addedKva * rate * months),
      citation: rules.citation,
    });
    const k = rules.twoPart.penaltyMultiplier;
    items.push({
      key: 'two_part_penalty',
      label: `Penalty: ${k} × the basic tariff on the added capacity`,
      labelZh: `违约使用电费：${k} 倍私增容量基本电费`,
      formula: `${k} × ${addedKva} kVA × ${rate} yuan/kVA`,
      amountYuan: round2(k * addedKva * rate),
      citation: rules.citation,
    });
  } else {
    const rate = rules.single.yuanPerKva;
    items.push({
      key: 'single_penalty',
      label: 'Penalty per kVA of added capacity',
      labelZh: '违约使用电费：按私增容量每千伏安计收',
      formula: `${addedKva} kVA × ${rate} yuan/kVA`,
      amountYuan: round2(addedKva * rate),
      citation: rules.citation,
    });
  }
  const demand = rules.demandRule;
  // The contracted demand is taken as the contract capacity (kVA ≈ kW at the declared figure).
  const threshold = demand.thresholdRatio * input.contractKva;
  if (demand.enabled && input.tariff === 'two_part' && input.maxDemandKw > threshold) {
    const over = round2(input.maxDemandKw - threshold);
    items.push({
      key: 'demand_over_105',
      label: `Demand above ${Math.round(demand.thresholdRatio * 100)} % of contract, charged ${demand.multiplier} ×`,
      labelZh: `超过合同需量 ${Math.round(demand.thresholdRatio * 100)}% 部分的基本电费加倍收取`,
      formula: `${demand.multiplier} × (${round2(input.maxDemandKw)} − ${round2(threshold)}) kW × ${demand.demandTariffYuanPerKwMonth} yuan/kW·month`,
      amountYuan: round2(demand.multiplier * over * demand.demandTariffYuanPerKwMonth),
      citation: demand.citation,
    });
  }
  return {
    ruleSet: rules.name,
    citation: rules.citation,
    note: rules.note,
    noteZh: rules.noteZh,
    currency: 'CNY',
    tariff: input.tariff,
    addedKva,
    addedKvaBasis: added.basis,
    addedKvaFormula: added.formula,
    capacity: {
      contractKva: input.contractKva,
      nameplateKva: input.nameplateKva ?? null,
      apparentDemandKva: input.maxDemandKva ?? null,
      activeDemandKw: input.maxDemandKw,
    },
    monthsUsed: months,
    items,
    totalYuan: round2(items.reduce((sum, item) => sum + item.amountYuan, 0)),
  };
}

const nonEmpty = Type.String({ minLength: 1 });
const atLeast = (minimum: number) => Type.Optional(Type.Number({ minimum }));

/** The `workflow.penalty` settings (TypeBox, checked by the shared validator); each figure over its default. */
export const PENALTY_SCHEMA = Section({
  name: Type.Optional(nonEmpty),
  citation: Type.Optional(nonEmpty),
  note: Type.Optional(nonEmpty),
  noteZh: Type.Optional(nonEmpty),
  twoPart: Type.Optional(Section({ basicTariffYuanPerKvaMonth: atLeast(0), penaltyMultiplier: atLeast(0) })),
  single: Type.Optional(Section({ yuanPerKva: atLeast(0) })),
  demandRule: Type.Optional(
    Section({
      enabled: Type.Optional(Type.Boolean()),
      thresholdRatio: atLeast(1),
      multiplier: atLeast(0),
      demandTariffYuanPerKwMonth: atLeast(0),
      citation: Type.Optional(nonEmpty),
    }),
  ),
  daysPerMonth: atLeast(1),
});

/** Checked penalty settings over the defaults. */
export function penaltyRulesOf(src: Static<typeof PENALTY_SCHEMA> | undefined): PenaltyRules {
  const d = DEFAULT_PENALTY_RULES;
  if (!src) return d;
  return {
    name: src.name ?? d.name,
    citation: src.citation ?? d.citation,
    note: src.note ?? d.note,
    noteZh: src.noteZh ?? src.note ?? d.noteZh,
    twoPart: { ...d.twoPart, ...src.twoPart },
    single: { ...d.single, ...src.single },
    demandRule: { ...d.demandRule, ...src.demandRule },
    daysPerMonth: src.daysPerMonth ?? d.daysPerMonth,
  };
}

/** Penalty settings from a value in code; a ConfigError names `where` and the field. */
export function parsePenaltyRules(raw: unknown, where: string): PenaltyRules {
  if (raw === undefined || raw === null) return DEFAULT_PENALTY_RULES;
  const data = structuredClone(raw);
  return penaltyRulesOf(checkSchema(PENALTY_SCHEMA, data, ConfigSource.fromData(data, where)));
}
