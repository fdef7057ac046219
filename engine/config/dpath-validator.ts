/**
 * DpathValidator: applies a validation strategy to the config value at field_path (with `*`, to
 * every match). A missing field passes, as in Airbyte: required-ness is the spec's job.
 */
import { getPath, globValues, hasWildcard, type PathKey } from '../extract/dpath.js';
import { InterpolatedString } from '../interpolation/index.js';
import { registerComponent, type BuildContext, type ManifestNode } from '../registry.js';
import type { Obj } from '../types.js';
import type { ConfigValidator, ValidationStrategy } from './contracts.js';

export class DpathValidator implements ConfigValidator {
  constructor(
    private readonly fieldPath: InterpolatedString[],
    private readonly strategy: ValidationStrategy,
  ) {}

  validate(config: Obj): void {
    const path: PathKey[] = this.fieldPath.map((k) => k.evalString({ config }));
    const at = `config${path.map((k) => (/^\d+$/.test(String(k)) ? `[${k}]` : `.${k}`)).join('')}`;
    if (hasWildcard(path)) {
      for (const value of globValues(config, path)) this.strategy.validate(value, at);
      return;
    }
    const value = getPath(config, path);
    if (value !== undefined) this.strategy.validate(value, at);
  }
}

function build(node: ManifestNode, ctx: BuildContext): DpathValidator {
  if (!Array.isArray(node.field_path) || node.field_path.length === 0) throw ctx.error('DpathValidator needs a non-empty field_path', 'field_path');
  const path = node.field_path.map((k) => InterpolatedString.create(String(k), { parameters: ctx.parameters }));
  return new DpathValidator(path, ctx.build<ValidationStrategy>(node.validation_strategy, 'validation_strategy'));
}

registerComponent('DpathValidator', build, 'Validates the config value at a path with a validation strategy.');
