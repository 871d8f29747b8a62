// Runs the emulators in their own process, so their CPU never counts against the handlers being measured.
import { startEmulators } from '../../infra/local/emulators.ts';

// argv: table/queue prefix, and optionally a directory for DynamoDB on disk (as the local hub keeps it).
const [prefix = 'bench-', dynamodbPath] = process.argv.slice(2);
const emulators = await startEmulators({ prefix, ...(dynamodbPath ? { dynamodbPath } : {}) });
const { stop: _stop, ...info } = emulators;
process.stdout.write(`${JSON.stringify(info)}\n`);
// A bench that counts CPU seconds asks for this process's share with SIGUSR2 (one JSON line back).
process.on('SIGUSR2', () => {
  const { user, system } = process.cpuUsage();
  process.stdout.write(`${JSON.stringify({ cpuMs: (user + system) / 1000 })}\n`);
});
process.on('SIGTERM', () => {
  void emulators.stop().finally(() => process.exit(0));
});
