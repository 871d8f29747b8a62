import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION, startEmulators, type Emulators } from '../../infra/local/emulators.ts';
import { createDocumentClient } from '../../shared/store/client.ts';
import { OPS_PREFIX } from '../../shared/store/keys.ts';
import { OpsStore, THEME_ITEM_IDS } from '../../shared/store/ops-store.ts';

let emu: Emulators;
let documents: DynamoDBDocumentClient;
let ops: OpsStore;

beforeAll(async () => {
  emu = await startEmulators({ prefix: 'ops-themes-' });
  documents = createDocumentClient({ region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, endpoint: emu.dynamodbEndpoint });
  ops = new OpsStore({ client: documents, tableName: emu.tableNames.ops });
});
afterAll(async () => {
  documents?.destroy();
  await emu?.stop();
});

const day = '2026-11-28';
const itemId = (i: number) => `messenger:m_${String(i).padStart(4, '0')}-${'x'.repeat(40)}`;
const record = async (topic: string) =>
  (await documents.send(new GetCommand({ TableName: emu.tableNames.ops, Key: { pk: `${OPS_PREFIX.theme}${day}`, sk: topic } }))).Item!;

describe("a day's theme record", () => {
  it('counts every item on a busy topic but keeps a bounded list of ids, so each write stays small and far from the 400 KB limit', async () => {
    const items = THEME_ITEM_IDS + 30;
    for (let i = 0; i < items; i++) await ops.recordTheme(day, 'potholes', itemId(i), `example ${i}`, 30);
    const theme = await record('potholes');
    expect(theme.n).toBe(items);
    expect((theme.itemIds as Set<string>).size).toBe(THEME_ITEM_IDS);
    expect(theme.example).toBe('example 0');
    expect(theme.exampleItemId).toBe(itemId(0));
    expect(JSON.stringify([...(theme.itemIds as Set<string>)]).length).toBeLessThan(5_000);
    expect(await ops.listThemes(day)).toContainEqual(expect.objectContaining({ topic: 'potholes', count: items }));
  });

  it('does not count a redelivered item whose id it kept', async () => {
    for (let i = 0; i < 3; i++) await ops.recordTheme(day, 'bins', itemId(i), `example ${i}`, 30);
    await ops.recordTheme(day, 'bins', itemId(1), 'example 1', 30);
    expect((await record('bins')).n).toBe(3);
  });
});
