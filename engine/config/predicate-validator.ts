/** PredicateValidator: applies a validation strategy to a value, which may be a template over the config. */
import { InterpolatedString } from '../interpolation/index.js';
import { registerComponent, type BuildContext, type ManifestNode } from '../registry.js';
import type { Obj } from '../types.js';
import type { ConfigValidator, ValidationStrategy } from './contracts.js';

export class PredicateValidator implements ConfigValidator {
  constructor(
    private readonly value: unknown,
    private readonly label: string,
    private readonly strategy: ValidationStrategy,
  ) {}

  validate(config: Obj): void {
    const value = this.value instanceof InterpolatedString ? this.value.eval({ config }) : this.value;
    this.strategy.validate(value, this.label);
  }
}

function build(node: ManifestNode, ctx: BuildContext): PredicateValidator {
  if (!('value' in node)) throw ctx.error('PredicateValidator needs a value', 'value');
  const value = typeof node.value === 'string' ? InterpolatedString.create(node.value, { parameters: ctx.parameters }) : node.value;
  const label = typeof node.value === 'string' ? `value ${JSON.stringify(node.value)}` : 'value';
  return new PredicateValidator(value, label, ctx.build<ValidationStrategy>(node.validation_strategy, 'validation_strategy'));
}

registerComponent('PredicateValidator', build, 'Validates a (templated) value with a validation strategy.');
