// Runs the emulators in their own process, so their CPU never counts against the handlers being measured.
import { startEmulators } from '../../infra/local/emulators.ts';

const emulators = await startEmulators({ prefix: process.argv[2] ?? 'bench-' });
const { stop: _stop, ...info } = emulators;
process.stdout.write(`${JSON.stringify(info)}\n`);
process.on('SIGTERM', () => {
  void emulators.stop().finally(() => process.exit(0));
});
