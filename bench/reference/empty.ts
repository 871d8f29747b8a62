// Floor of the measurement: a handler with no imports (process start-up is not counted, module load is).
export const handler = async (event: unknown) => ({ ok: event !== undefined });
