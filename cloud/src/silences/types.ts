/**
 * Silences and maintenance windows (issue 15): for a while, a transformer (its site: the
 * transformer, its devices and their customers) or one device raises alerts that are
 * stored but marked silenced: hidden from the default triage list, with no work order
 * and no notification. The shape the store keeps and the API answers.
 */

export { SILENCE_KINDS, type Silence, type SilenceKind } from '@gridsafe/shared';
