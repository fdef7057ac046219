/** KeysToLower: lower-cases the record's top-level keys (as Airbyte does; nested keys are left alone). */
import type { RecordTransformation } from '../contracts.js';
import { registerComponent } from '../registry.js';
import type { DataRecord } from '../types.js';
import { assignOwn } from '../extract/dpath.js';

export class KeysToLower implements RecordTransformation {
  transform(record: DataRecord): void {
    for (const key of Object.keys(record)) {
      const lower = key.toLowerCase();
      if (lower === key) continue;
      const value = record[key];
      delete record[key];
      assignOwn(record, lower, value);
    }
  }
}

registerComponent('KeysToLower', () => new KeysToLower(), 'Lower-cases top-level record keys.');
