// Run in a fresh Node process: prints how long importing one bundle takes (ms).
const url = process.argv[2];
const started = performance.now();
await import(url);
process.stdout.write(`${performance.now() - started}\n`);
