/** A scenario's `transformers:` and `customers:` (already checked by the schema): the ratings events and truth refer to. */
import type { Problems } from './problems.js';
import type { ScenarioFile } from './schema.js';
import { uniqueIds } from './uniqueness.js';
import type { CustomerSpec, TransformerSpec } from './types.js';

export function gridOf(
  file: ScenarioFile,
  problems: Problems,
): { transformers: TransformerSpec[]; customers: CustomerSpec[] } {
  const transformers = (file.transformers ?? []).map(({ id, ratedKva }) => ({ id, ratedKva }));
  const customers = (file.customers ?? []).map(({ id, contractKva }) => ({ id, contractKva }));
  uniqueIds('transformers', transformers, problems);
  uniqueIds('customers', customers, problems);
  return { transformers, customers };
}
