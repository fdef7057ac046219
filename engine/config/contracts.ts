/**
 * Interfaces of spec.config_normalization_rules components. Config transformations mutate the
 * config they are given in place (each one sees what the previous one left), validators throw.
 */
import type { Obj } from '../types.js';

export interface ConfigTransformation {
  transform(config: Obj): void;
}

export interface ConfigValidator {
  /** Throws an Error whose message says what is wrong (the caller adds where the rule lives). */
  validate(config: Obj): void;
}

export interface ValidationStrategy {
  /** `at` names the value in messages (e.g. `config.credentials.api_key`). */
  validate(value: unknown, at: string): void;
}
