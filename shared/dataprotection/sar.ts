import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { londonDay } from '../runtime/london-time.ts';
import { sarDocument, sarHtml, sarManifest, type SarMeta } from './sar-report.ts';
import { collectSubjectRecords, type SubjectDeps } from './subject.ts';

/**
 * `hub sar export`: gathers everything held about one person, writes
 * `report.html`, `report.json` and `manifest.json` (what was searched, what
 * was not, and a sha256 of each file) into a new private directory, then
 * records the export in the chain: who ran it, when, and how many records it
 * found, never who it was about.
 */

export interface SarRequest {
  readonly identities: readonly string[];
  readonly outDir: string;
  readonly by: string;
  /** The council's case number for the request, if it has one. */
  readonly caseRef?: string;
}

export interface SarOutcome {
  readonly exportId: string;
  readonly items: number;
  readonly informal: number;
  readonly files: readonly string[];
}

export class OutputDirectoryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutputDirectoryError';
  }
}

export async function exportSubjectAccess(
  request: SarRequest,
  deps: SubjectDeps & { readonly councilName: string; readonly now: () => Date },
): Promise<SarOutcome> {
  await prepareDirectory(request.outDir);
  const now = deps.now();
  const exportId = `SAR-${londonDay(now.toISOString()).replaceAll('-', '')}-${randomBytes(3).toString('hex').toUpperCase()}`;
  const records = await collectSubjectRecords(request.identities, deps);
  const meta: SarMeta = {
    exportId,
    council: deps.audit.council,
    councilName: deps.councilName,
    generatedAt: now.toISOString(),
    identities: request.identities,
  };

  const written: { name: string; bytes: number; sha256: string }[] = [];
  const write = async (name: string, text: string) => {
    const bytes = Buffer.from(text, 'utf8');
    await writeFile(join(request.outDir, name), bytes, { mode: 0o600, flag: 'wx' });
    written.push({ name, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
  };
  await write('report.json', `${JSON.stringify(sarDocument(meta, records), null, 2)}\n`);
  await write('report.html', sarHtml(meta, records));
  await write('manifest.json', `${JSON.stringify(sarManifest(meta, records, [...written]), null, 2)}\n`);

  await deps.audit.append({
    ref: exportId,
    itemId: 'subject-access',
    type: 'sar-exported',
    at: now.toISOString(),
    data: {
      by: request.by,
      ...(request.caseRef ? { caseRef: request.caseRef } : {}),
      identities: request.identities.length,
      items: records.items.length,
      informal: records.informal.length,
      consentRecords: records.consentPerMatter.length + records.consentLedger.length,
      manifestSha256: written.find((f) => f.name === 'manifest.json')?.sha256,
    },
    eventKey: `${exportId}:sar-exported`,
  });
  return { exportId, items: records.items.length, informal: records.informal.length, files: written.map((f) => join(request.outDir, f.name)) };
}

/** A new or empty directory, private to the user: the report is personal data. */
async function prepareDirectory(dir: string): Promise<void> {
  try {
    const existing = await readdir(dir);
    if (existing.length > 0) throw new OutputDirectoryError(`--out ${dir} is not empty; give a new directory for each export`);
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOTDIR') throw new OutputDirectoryError(`--out ${dir} is a file, not a directory`);
    if ((error as { code?: string }).code !== 'ENOENT') throw error;
    await mkdir(dir, { recursive: true, mode: 0o700 });
  }
}
