import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FUNCTIONS, type FunctionId } from '../../shared/topology.ts';
import { asArray, placeholderCode, referencedIds, resourcesOfType, synth } from './synth.ts';

/** The second tier's one AWS call: classify may invoke the pinned model in its region, only when the council opts in, and nothing else may. */

function bedrockStatements(json: Record<string, any>, fnLogicalId: string): { Action: unknown; Resource: unknown }[] {
  const role = [...referencedIds(json.Resources[fnLogicalId].Properties.Role)][0]!;
  return resourcesOfType(json, 'AWS::IAM::Policy')
    .filter(([, p]) => asArray(p.Properties.Roles).some((r: unknown) => referencedIds(r).has(role)))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as { Action: unknown; Resource: unknown }[])
    .filter((st) => asArray(st.Action).some((a) => String(a).startsWith('bedrock:')));
}

describe('Bedrock grant', () => {
  it('classify gets bedrock:InvokeModel on exactly the pinned model ARN when the policy opts in; no other function gets any bedrock action', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hub-policy-'));
    const file = join(dir, 'withyham-model.json');
    const policy = JSON.parse(readFileSync(new URL('../../shared/policy/presets/withyham.json', import.meta.url), 'utf8')) as Record<string, unknown>;
    const { moderationNote, ...rest } = policy;
    writeFileSync(
      file,
      JSON.stringify({
        ...rest,
        moderationModel: {
          enabled: true,
          modelId: 'anthropic.claude-3-haiku-20240307-v1:0',
          region: 'eu-central-1',
          when: 'unsure',
          timeoutMs: 3000,
          clause: 'withyham.txt §6.11',
        },
        moderationNote,
      }),
    );
    const s = synth({ codeFor: placeholderCode, context: { council: file } });
    for (const fn of Object.keys(FUNCTIONS) as FunctionId[]) {
      const statements = bedrockStatements(s.json, s.logicalId(s.stack.functions[fn]));
      if (fn !== 'classify') {
        expect(statements, fn).toEqual([]);
        continue;
      }
      expect(statements).toHaveLength(1);
      expect(asArray(statements[0]!.Action)).toEqual(['bedrock:InvokeModel']);
      expect(JSON.stringify(statements[0]!.Resource)).toContain(':bedrock:eu-central-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0');
      expect(JSON.stringify(statements[0]!.Resource)).not.toContain('*');
    }
  });

  it('without the opt-in no function may call Bedrock', () => {
    const s = synth({ codeFor: placeholderCode });
    for (const fn of Object.keys(FUNCTIONS) as FunctionId[]) expect(bedrockStatements(s.json, s.logicalId(s.stack.functions[fn])), fn).toEqual([]);
  });
});
