/**
 * `manifold validate`'s template check: every `{{ }}` / `{% %}` string of the manifest is compiled
 * as the engine would compile it at run time, so a syntax error, an unknown filter or a variable
 * no component provides is reported at load time with its location instead of mid-read.
 */
import type { ManifestProblem } from '../errors/manifold-error.js';
import { filterNames, globalNames, inspectTemplate, standardVariableNames } from '../interpolation/index.js';
import type { LoadedManifest } from './loader.js';
import { groupByPlace, suggestNames, walkManifest, type PlacedProblem } from './manifest-walk.js';

/** Variables that exist only in some components (docs/interpolation.md, "where each one exists"). */
const COMPONENT_VARIABLES = [
  'property',
  'creation_response',
  'polling_response',
  'download_target',
  'components_values',
  'stream_template_config',
  'session_token',
  'raw_schema',
];

export function checkTemplates(m: LoadedManifest): ManifestProblem[] {
  const known = new Set([...standardVariableNames(), ...COMPONENT_VARIABLES]);
  const suggestible = [...known, ...globalNames()];
  const found: PlacedProblem[] = [];
  for (const { parent, field, value } of walkManifest(m.root as Record<string, unknown>)) {
    if (typeof value !== 'string' || !(value.includes('{{') || value.includes('{%'))) continue;
    const at = (message: string): void => void found.push({ message, parent, field });
    const inspection = inspectTemplate(value);
    if (inspection.syntaxError !== undefined) {
      const unknownFilter = /^No filter named '([^']+)'/.exec(inspection.syntaxError)?.[1];
      const hint = unknownFilter ? suggestNames(unknownFilter, filterNames()) : [];
      at(`template ${JSON.stringify(value)}: ${inspection.syntaxError}${hint.length ? ` Did you mean ${hint.join(', ')}?` : ''}`);
      continue;
    }
    for (const name of inspection.undeclared) {
      if (known.has(name)) continue;
      if (name === 'stream_state') {
        at(`template ${JSON.stringify(value)} uses stream_state, which is no longer supported; use stream_interval (e.g. stream_interval['start_time'])`);
        continue;
      }
      const hint = suggestNames(name, suggestible);
      at(`template ${JSON.stringify(value)} uses undeclared variable '${name}'${hint.length ? `; did you mean ${hint.join(', ')}?` : ''}`);
    }
  }
  return groupByPlace(found, m.file, 'error');
}
