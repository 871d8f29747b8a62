import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { resolveCouncil } from '../../infra/aws/council.ts';

describe('the council a stack is deployed for', () => {
  it("a preset ships as its own file in the bundle, so no bundle carries the other councils' presets", () => {
    const council = resolveCouncil('stilton');
    expect(council.envValue).toBe('/var/task/stilton.json');
    expect(JSON.parse(readFileSync(council.file, 'utf8')).council.id).toBe('stilton');
    expect(council.councilId).toBe('stilton');
  });

  it('an unknown name is refused at synth, naming the presets', () => {
    expect(() => resolveCouncil('nowhere')).toThrow(/neither a preset \(wherstead, withyham, stilton/);
  });
});
