'use strict';
/*
 * CloudFormation custom resource, deployed inline (no bundle): the audit signing key's public key, for the
 * stack output AuditSigningPublicKey. CDK's AwsCustomResource cannot do this: it decodes binary response
 * fields as UTF-8 text, which corrupts the DER key. Its role may call kms:GetPublicKey on that key only.
 */
const { GetPublicKeyCommand, KMSClient } = require('@aws-sdk/client-kms');

/** Replaced in tests. */
exports.deps = { kms: () => new KMSClient({}), fetch: (url, init) => fetch(url, init) };

async function outcome(event) {
  if (event.RequestType === 'Delete') return { PhysicalResourceId: event.PhysicalResourceId, Data: {} };
  const keyId = event.ResourceProperties.KeyId;
  const out = await exports.deps.kms().send(new GetPublicKeyCommand({ KeyId: keyId }));
  // SubjectPublicKeyInfo, base64: the body of the PEM that `hub audit key` prints.
  return { PhysicalResourceId: keyId, Data: { PublicKey: Buffer.from(out.PublicKey).toString('base64'), KeySpec: out.KeySpec } };
}

exports.handler = async (event) => {
  let result;
  try {
    result = { Status: 'SUCCESS', ...(await outcome(event)) };
  } catch (error) {
    result = { Status: 'FAILED', Reason: String(error?.message ?? error).slice(0, 300), PhysicalResourceId: event.PhysicalResourceId ?? 'not-created' };
  }
  const body = JSON.stringify({ ...result, StackId: event.StackId, RequestId: event.RequestId, LogicalResourceId: event.LogicalResourceId });
  // The response URL is presigned without a content type (as cfn-response sends it).
  const response = await exports.deps.fetch(event.ResponseURL, { method: 'PUT', headers: { 'content-type': '' }, body });
  if (!response.ok) throw new Error(`CloudFormation did not take the response: ${response.status}`);
};
