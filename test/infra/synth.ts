import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { IConstruct } from 'constructs';
import { buildApp } from '../../infra/aws/app.ts';
import type { HubStack, HubStackProps } from '../../infra/aws/stack.ts';
import type { FunctionId } from '../../shared/topology.ts';

export const TEST_CONTEXT = { mailDomain: 'mail.parish.example.org.uk', council: 'stilton', region: 'eu-west-2' } as const;

/** Placeholder code for tests that examine the template only, never the code (see docs/deploy.md). */
export const placeholderCode = (): lambda.Code => lambda.Code.fromInline('export const handler = async () => ({});');

export interface Synth {
  readonly app: App;
  readonly stack: HubStack;
  readonly template: Template;
  readonly json: Record<string, any>;
  readonly outdir: string;
  logicalId(construct: IConstruct): string;
}

/**
 * Builds the real app (cdk-nag AwsSolutions registered, as in `cdk synth`) and
 * synthesises it once. `app.synth()` throws on any unacknowledged finding.
 */
export function synth(
  options: { codeFor?: (id: FunctionId) => lambda.Code | undefined; context?: Record<string, string>; props?: Partial<HubStackProps> } = {},
): Synth {
  const outdir = mkdtempSync(join(tmpdir(), 'hub-cdk-'));
  const app = new App({ outdir, context: { ...TEST_CONTEXT, ...options.context } });
  const { stack } = buildApp(app, { ...(options.codeFor ? { codeFor: options.codeFor } : {}), ...options.props });
  const assembly = app.synth();
  const json = assembly.getStackByName(stack.stackName).template as Record<string, any>;
  return {
    app,
    stack,
    json,
    template: Template.fromJSON(json),
    outdir,
    logicalId: (construct) => stack.getLogicalId((construct.node.defaultChild ?? construct) as CfnElement),
  };
}

export function resourcesOfType(json: Record<string, any>, type: string): [string, any][] {
  return Object.entries(json.Resources as Record<string, any>).filter(([, r]) => r.Type === type);
}

/** Every logical id a CloudFormation value refers to (Ref / Fn::GetAtt), however deeply nested. */
export function referencedIds(value: unknown): Set<string> {
  const ids = new Set<string>();
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      for (const [k, inner] of Object.entries(v)) {
        if (k === 'Ref' && typeof inner === 'string') ids.add(inner);
        else if (k === 'Fn::GetAtt' && Array.isArray(inner)) ids.add(String(inner[0]));
        else walk(inner);
      }
    }
  };
  walk(value);
  return ids;
}

export function asArray<T>(value: T | T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}
