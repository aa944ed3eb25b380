import { parseInfo, replicaLags } from '../../src/backends/redis/redis-health-nodes.js';

describe('replicaLags', () => {
  it("reads each replica's lag (seconds since its last ack) from a master's INFO replication, in ms", () => {
    const info = parseInfo(
      [
        '# Replication',
        'role:master',
        'connected_slaves:2',
        'slave0:ip=127.0.0.1,port=7001,state=online,offset=1234,lag=0',
        'slave1:ip=10.0.0.7,port=6380,state=wait_bgsave,offset=0,lag=3',
        'master_repl_offset:1234',
        '',
      ].join('\r\n'),
    );
    expect([...replicaLags(info)]).toEqual([
      ['127.0.0.1:7001', 0],
      ['10.0.0.7:6380', 3000],
    ]);
  });

  it('gives no lag for a line without one, and nothing for a replica', () => {
    expect([...replicaLags(parseInfo('role:master\nslave0:ip=h,port=1,state=online,offset=5\n'))]).toEqual([
      ['h:1', undefined],
    ]);
    expect(replicaLags(parseInfo('role:slave\nmaster_host:h\n')).size).toBe(0);
  });
});
