/** Work orders: what an inspector is asked to do about an alert, and everything recorded on the way. */

/** Who is acting: the signed-in API user. */
export interface Actor {
  name: string;
  role: 'admin' | 'inspector' | 'auditor';
  /** Areas an inspector is scoped to (empty for admin and auditor). */
  areas: string[];
}
