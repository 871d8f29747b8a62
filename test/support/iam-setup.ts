import { afterEach } from 'vitest';
import { clearDenials, describeDenial, installIamEnforcement, recordedDenials, runAs } from '../../infra/local/iam/enforce.ts';
import { InlineAuditQueue } from '../../shared/store/audit-appender.ts';

/**
 * Every test file runs with IAM enforcement on (infra/local/iam): any AWS call
 * made for a function or the auditor is evaluated against that role's
 * synthesised policies, and a test fails on any denial it did not expect.
 * A test that expects denials clears them itself (clearDenials) before this runs.
 */
installIamEnforcement();
// Audit events linked in-process (tests without the FIFO queue) are written as the appender, the chain's only writer.
InlineAuditQueue.runAsAppender = (link) => runAs('auditAppender', link);

afterEach(() => {
  const denials = [...recordedDenials()];
  clearDenials();
  if (denials.length > 0)
    throw new Error(`unexpected IAM denials (the stack lacks a grant, or the code calls what it should not):\n${denials.map(describeDenial).join('\n')}`);
});
