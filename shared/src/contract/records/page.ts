/** One page of a list the API answers (`limit` and `offset` in, `{items, total, limit, offset}` out). */
export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}
