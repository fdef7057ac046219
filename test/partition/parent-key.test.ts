/**
 * ParentStreamConfig.parent_key is read as the CDK reads it (substream_partition_router.py:
 * `dpath.get(record_data, parent_field)`): `/` nests, `.` is part of a key.
 */
import { describe, it, expect } from '@jest/globals';
import '../../engine/partition/substream-partition-router.js';
import '../../engine/partition/parent-stream-config.js';
import '../../engine/stream/inline-schema-loader.js';
import { valueAtPath } from '../../engine/partition/parent-stream-config.js';
import { buildDeclarativeStream } from '../../engine/stream/declarative-stream.js';
import type { DataRecord } from '../../engine/types.js';
import { fakeContext } from '../stream/fake-build-context.js';
import { FakeRetriever, fakeRetrievers } from '../stream/fake-retriever.js';

describe('valueAtPath (dpath.get)', () => {
  const record = { id: 1, 'a.b': 'literal', a: { b: 'nested', list: [{ id: 'first' }] }, nothing: null };

  it('a dotted key is one key, never a nested path', () => {
    expect(valueAtPath(record, 'a.b')).toBe('literal');
    expect(valueAtPath({ a: { b: 'nested' } }, 'a.b')).toBeUndefined();
  });

  it('slashes nest, through lists by index; a leading slash is ignored', () => {
    expect(valueAtPath(record, 'a/b')).toBe('nested');
    expect(valueAtPath(record, '/a/b')).toBe('nested');
    expect(valueAtPath(record, 'a/list/0/id')).toBe('first');
  });

  it('missing paths and inherited properties give nothing', () => {
    expect(valueAtPath(record, 'a/missing')).toBeUndefined();
    expect(valueAtPath(record, 'id/x')).toBeUndefined();
    expect(valueAtPath(record, 'constructor')).toBeUndefined();
    expect(valueAtPath(record, 'a/list/length')).toBeUndefined();
  });
});

describe('SubstreamPartitionRouter partitions by parent_key', () => {
  async function partitionsFor(parentKey: string, parents: DataRecord[]): Promise<unknown[]> {
    const key = `parent-key-${fakeRetrievers.size}`;
    fakeRetrievers.set(`${key}-parent`, new FakeRetriever(() => parents));
    const child = new FakeRetriever(() => []);
    fakeRetrievers.set(key, child);
    const stream = buildDeclarativeStream(
      {
        type: 'DeclarativeStream',
        name: 'children',
        schema_loader: { type: 'InlineSchemaLoader', schema: {} },
        retriever: {
          type: 'FakeRetriever',
          key,
          partition_router: {
            type: 'SubstreamPartitionRouter',
            parent_stream_configs: [
              {
                type: 'ParentStreamConfig',
                parent_key: parentKey,
                partition_field: 'parent_id',
                stream: {
                  type: 'DeclarativeStream',
                  name: 'parents',
                  schema_loader: { type: 'InlineSchemaLoader', schema: {} },
                  retriever: { type: 'FakeRetriever', key: `${key}-parent` },
                },
              },
            ],
          },
        },
      },
      fakeContext({}),
    );
    for await (const _ of stream.read({ syncMode: 'full_refresh' })) void _;
    return child.requests.map((r) => r.slice.partition.parent_id);
  }

  it('`owner.id` reads the key "owner.id"; records with only a nested owner.id give no partition', async () => {
    expect(await partitionsFor('owner.id', [{ 'owner.id': 'x' }, { owner: { id: 'y' } }])).toEqual(['x']);
  });

  it('a parent whose key holds null still makes a partition (as the CDK); one without the key makes none', async () => {
    expect(await partitionsFor('owner/id', [{ owner: { id: null } }, { owner: {} }, { owner: { id: 'z' } }])).toEqual([null, 'z']);
  });

  it('`owner/id` reads the nested value', async () => {
    expect(await partitionsFor('owner/id', [{ owner: { id: 'y' } }, { owner: { id: 'z' } }])).toEqual(['y', 'z']);
  });
});
