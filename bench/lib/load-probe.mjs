// Run in a fresh Node process: prints how long importing the given modules, in order, takes (ms).
// The first is a bundle's index.mjs; any others are chunks its first invocation loads.
const started = performance.now();
for (const url of process.argv.slice(2)) await import(url);
process.stdout.write(`${performance.now() - started}\n`);
