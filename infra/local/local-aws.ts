/**
 * The region and credentials of the local emulators (they never check the
 * credentials). Its own module so the `hub` CLI can reach a running local hub
 * without loading the emulators themselves (emulators.ts).
 */
export const LOCAL_REGION = 'eu-west-2';
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;
