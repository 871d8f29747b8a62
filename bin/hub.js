#!/usr/bin/env node
// `npx hub …`: the auditor's command line. npm puts the project's Node 24
// (a pinned devDependency) first on PATH, and Node 24 runs the TypeScript
// sources directly.
import { main } from '../shared/cli/main.ts';

process.exitCode = await main(process.argv.slice(2));
