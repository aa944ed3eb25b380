import { makeTempDir, removeTempDir } from '../helpers/tmp.js';
import { runCli } from './cli-process.js';

/** export/import/migrate name Redis explicitly: with no Redis configured they refuse, never try localhost. */
describe('CLI verbs that need Redis refuse when none is configured', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await makeTempDir('framestore-cli-noredis-');
  });
  afterAll(() => removeTempDir(dir));

  const cases: [string, string[]][] = [
    ['import --to redis', ['import', 'bundle.fsb', '--to', 'redis']],
    ['export --from redis', ['export', 'AAAAAAAAAAAAAAAAAAAAAA', 'out.fsb', '--from', 'redis']],
    ['migrate --to redis', ['migrate', '--from', 'inmemory', '--to', 'redis']],
  ];
  test.each(cases)('%s', async (_name, args) => {
    const cli = runCli(args, { STORAGE_DIR: dir, LOG_LEVEL: 'silent' }, dir);
    const exit = await cli.exited;
    expect(exit.code).not.toBe(0);
    expect(cli.stderr()).toMatch(/Redis is not configured: set REDIS_URL/);
  });
});
