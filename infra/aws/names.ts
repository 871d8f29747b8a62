/** Construct ids derived from topology ids. CloudFormation logical ids come from these: renaming one replaces the resource. */
export function pascal(id: string): string {
  return id.replace(/(^|[-_])(\w)/g, (_m, _sep: string, c: string) => c.toUpperCase()).replace(/^\w/, (c) => c.toUpperCase());
}

export function queueConstructId(queueId: string): string {
  return `${pascal(queueId)}Queue`;
}
