/** KeysReplace: replaces a substring (`old`, template) with `new` in every key, nested objects included. */
import type { RecordContext, RecordTransformation } from '../contracts.js';
import { InterpolatedString } from '../interpolation/index.js';
import { registerComponent, type BuildContext, type ManifestNode } from '../registry.js';
import type { DataRecord, Obj } from '../types.js';
import { recordTemplateContext } from './context.js';
import { assignAllOwn, assignOwn } from '../extract/dpath.js';

export class KeysReplace implements RecordTransformation {
  private readonly oldKey: InterpolatedString;
  private readonly newKey: InterpolatedString;

  constructor(
    oldKey: unknown,
    newKey: unknown,
    private readonly config: Obj,
    private readonly parameters: Obj,
  ) {
    this.oldKey = InterpolatedString.create(oldKey, { parameters });
    this.newKey = InterpolatedString.create(newKey, { parameters });
  }

  transform(record: DataRecord, ctx?: RecordContext): void {
    const dynamic = !this.oldKey.isStatic || !this.newKey.isStatic;
    const tctx = dynamic ? recordTemplateContext(this.config, this.parameters, record, ctx) : { config: this.config };
    const from = this.oldKey.evalString(tctx);
    const to = this.newKey.evalString(tctx);
    if (from === '') return;
    const replace = (obj: Obj): Obj => {
      const out: Obj = {};
      for (const [k, v] of Object.entries(obj)) {
        assignOwn(out, k.split(from).join(to), v !== null && typeof v === 'object' && !Array.isArray(v) ? replace(v as Obj) : v);
      }
      return out;
    };
    const replaced = replace(record);
    for (const k of Object.keys(record)) delete record[k];
    assignAllOwn(record, replaced);
  }
}

export function buildKeysReplace(node: ManifestNode, ctx: BuildContext): KeysReplace {
  if (node.old === undefined || node.old === null) throw ctx.error('KeysReplace needs old', 'old');
  if (node.new === undefined || node.new === null) throw ctx.error('KeysReplace needs new', 'new');
  return new KeysReplace(node.old, node.new, ctx.config, ctx.parameters);
}

registerComponent('KeysReplace', buildKeysReplace, 'Replaces a substring in every record key.');
