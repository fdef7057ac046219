/**
 * MinMaxDatetime: a datetime template clamped between optional min/max templates, all parsed with
 * one format (Airbyte's default `%Y-%m-%dT%H:%M:%S.%f%z`). Cursors hand their own datetime_format
 * down when the node names none, as the CDK does.
 */
import { ConfigError } from '../errors/manifold-error.js';
import { InterpolatedString, type InterpolationContext } from '../interpolation/index.js';
import { registerComponent, type BuildContext, type ManifestNode } from '../registry.js';
import type { Obj } from '../types.js';
import { tryParse, type Micros } from './cursor-time.js';

export const DEFAULT_DATETIME_FORMAT = '%Y-%m-%dT%H:%M:%S.%f%z';

export class MinMaxDatetime {
  private readonly datetime: InterpolatedString;
  private readonly min: InterpolatedString | undefined;
  private readonly max: InterpolatedString | undefined;

  constructor(
    datetime: unknown,
    /** Empty = not set: the owning cursor may still fill it in. */
    public datetimeFormat: string,
    minDatetime: unknown,
    maxDatetime: unknown,
    parameters: Obj,
    private readonly where = 'MinMaxDatetime',
  ) {
    this.datetime = InterpolatedString.create(datetime, { parameters });
    this.min = minDatetime ? InterpolatedString.create(minDatetime, { parameters }) : undefined;
    this.max = maxDatetime ? InterpolatedString.create(maxDatetime, { parameters }) : undefined;
  }

  /** The clamped instant (epoch µs). Throws a ConfigError when a value does not match the format. */
  getDatetime(ctx: InterpolationContext): Micros {
    const format = this.datetimeFormat || DEFAULT_DATETIME_FORMAT;
    let time = this.parse(this.datetime.evalString(ctx), format, 'datetime');
    const min = this.min?.evalString(ctx);
    if (min) time = Math.max(time, this.parse(min, format, 'min_datetime'));
    const max = this.max?.evalString(ctx);
    if (max) time = Math.min(time, this.parse(max, format, 'max_datetime'));
    return time;
  }

  private parse(text: string, format: string, field: string): Micros {
    const us = tryParse(text, format);
    if (us === undefined) {
      throw new ConfigError(`${this.where}.${field}: '${text}' does not match the datetime format '${format}'`);
    }
    return us;
  }
}

export function buildMinMaxDatetime(node: ManifestNode, ctx: BuildContext): MinMaxDatetime {
  if (node.datetime === undefined || node.datetime === null) throw ctx.error('MinMaxDatetime needs a datetime', 'datetime');
  return new MinMaxDatetime(node.datetime, String(node.datetime_format ?? ''), node.min_datetime, node.max_datetime, ctx.parameters, ctx.path);
}

registerComponent('MinMaxDatetime', buildMinMaxDatetime, 'A datetime template clamped between optional min and max datetimes.');
