/**
 * Config settings with alternatives (`oneOf` branches told apart by a `const` property, Airbyte's
 * usual shape for "pick one: A, B or C"). ajv fills no defaults inside a oneOf and reports every
 * branch's problems at once; these helpers act on the branch the config picked instead: its
 * defaults are filled in, and only its problems are reported.
 */
import type { ErrorObject } from 'ajv';
import type { Obj } from '../types.js';

type Schema = Obj;

const isObject = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

/** The branch whose `const` properties all match the value; -1 when none (or none has a const). */
export function chosenBranch(branches: unknown[], value: unknown): number {
  if (!isObject(value)) return -1;
  return branches.findIndex((b) => {
    const props = isObject(b) && isObject(b.properties) ? (b.properties as Obj) : {};
    const consts = Object.entries(props).filter(([, p]) => isObject(p) && 'const' in p);
    return consts.length > 0 && consts.every(([k, p]) => value[k] === (p as Obj).const);
  });
}

/** Fills the defaults of each chosen branch (at any depth) into the config, in place. */
export function fillBranchDefaults(schema: unknown, value: unknown): void {
  if (!isObject(schema) || !isObject(value)) return;
  if (isObject(schema.properties)) {
    for (const [k, sub] of Object.entries(schema.properties as Obj)) fillBranchDefaults(sub, value[k]);
  }
  if (Array.isArray(schema.oneOf)) {
    const index = chosenBranch(schema.oneOf, value);
    const branch = index < 0 ? undefined : (schema.oneOf[index] as Schema);
    if (branch && isObject(branch.properties)) {
      for (const [k, p] of Object.entries(branch.properties as Obj)) {
        if (value[k] === undefined && isObject(p) && p.default !== undefined) value[k] = structuredClone(p.default);
      }
      fillBranchDefaults(branch, value);
    }
  }
}

/**
 * ajv's errors with those of the branches the config did not pick removed. A oneOf whose value
 * picks no branch becomes one error listing the choices.
 */
export function errorsOfChosenBranches(errors: ErrorObject[], spec: Schema, config: unknown): Array<ErrorObject | string> {
  const out: Array<ErrorObject | string> = [...errors];
  for (const e of errors) {
    if (e.keyword !== 'oneOf') continue;
    const branches = schemaAt(spec, e.schemaPath);
    const value = valueAt(config, e.instancePath);
    if (!Array.isArray(branches)) continue;
    const prefix = `${e.schemaPath}/`;
    const index = chosenBranch(branches, value);
    const keep = (x: ErrorObject | string) =>
      typeof x === 'string' || !x.schemaPath.startsWith(prefix) || (index >= 0 && x.schemaPath.startsWith(`${prefix}${index}/`));
    const kept = out.filter(keep);
    out.length = 0;
    out.push(...kept);
    const ownBranchErrors = index >= 0 && out.some((x) => typeof x !== 'string' && x.schemaPath.startsWith(`${prefix}${index}/`));
    const at = out.indexOf(e);
    if (index >= 0 && ownBranchErrors) out.splice(at, 1);
    else if (index < 0) out.splice(at, 1, `${describePath(e.instancePath)}: must be one of ${choices(branches)}`);
  }
  return out;
}

function choices(branches: unknown[]): string {
  return branches
    .map((b) => {
      const props = isObject(b) && isObject(b.properties) ? (b.properties as Obj) : {};
      const consts = Object.entries(props)
        .filter(([, p]) => isObject(p) && 'const' in p)
        .map(([k, p]) => `${k}: ${JSON.stringify((p as Obj).const)}`);
      const title = isObject(b) && typeof b.title === 'string' ? `"${b.title}"` : 'an option';
      return consts.length ? `${title} (${consts.join(', ')})` : title;
    })
    .join(', ');
}

export function describePath(instancePath: string, base = 'config'): string {
  return base + instancePath.replace(/\/([^/]+)/g, (_m, k: string) => (/^\d+$/.test(k) ? `[${k}]` : `.${k}`));
}

function schemaAt(spec: Schema, schemaPath: string): unknown {
  let node: unknown = spec;
  for (const raw of schemaPath.replace(/^#\/?/, '').split('/').filter(Boolean)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    node = isObject(node) || Array.isArray(node) ? (node as Obj)[key] : undefined;
  }
  return node;
}

function valueAt(config: unknown, instancePath: string): unknown {
  let node: unknown = config;
  for (const raw of instancePath.split('/').filter(Boolean)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    node = isObject(node) || Array.isArray(node) ? (node as Obj)[key] : undefined;
  }
  return node;
}
