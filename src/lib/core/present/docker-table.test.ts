import { describe, expect, it } from 'vitest';
import { formatHistory, formatImageLs, type HistoryItem, type ImageLsItem } from './index';

const lines = (...ls: string[]): string => ls.map((l) => l + '\n').join('');

const now = new Date('2026-05-01T12:00:00Z');

describe('formatHistory: docker/cli formatter_history_test.go TestHistoryContext_Table', () => {
  const oneDayAgo = '2026-04-30T12:00:00Z';
  const seventeenYearsAgo = '2009-05-01T12:00:00Z';
  const longCmd =
    '/bin/bash ls && npm i && npm run test && karma -c karma.conf.js start && npm start && more commands here && the list goes on';
  const rows: HistoryItem[] = [
    { id: 'imageID1', created: oneDayAgo, createdBy: longCmd, size: 182964289, comment: 'Hi' },
    {
      id: 'imageID2',
      created: oneDayAgo,
      createdBy: '/bin/bash echo',
      size: 182964289,
      comment: 'Hi',
    },
    {
      id: 'imageID3',
      created: oneDayAgo,
      createdBy: '/bin/bash ls',
      size: 182964289,
      comment: 'Hi',
    },
    {
      id: 'imageID4',
      created: oneDayAgo,
      createdBy: '/bin/bash grep',
      size: 182964289,
      comment: 'Hi',
    },
    {
      id: 'imageID5',
      created: undefined,
      createdBy: '/bin/bash echo',
      size: 182964289,
      comment: 'Hi',
    },
    {
      id: 'imageID6',
      created: seventeenYearsAgo,
      createdBy: '/bin/bash echo',
      size: 182964289,
      comment: 'Hi',
    },
  ];

  it('truncated', () => {
    expect(formatHistory(rows, { now })).toBe(
      lines(
        'IMAGE      CREATED        CREATED BY                                      SIZE      COMMENT',
        'imageID1   24 hours ago   /bin/bash ls && npm i && npm run test && kar…   183MB     Hi',
        'imageID2   24 hours ago   /bin/bash echo                                  183MB     Hi',
        'imageID3   24 hours ago   /bin/bash ls                                    183MB     Hi',
        'imageID4   24 hours ago   /bin/bash grep                                  183MB     Hi',
        'imageID5   N/A            /bin/bash echo                                  183MB     Hi',
        'imageID6   17 years ago   /bin/bash echo                                  183MB     Hi',
      ),
    );
  });

  it('--no-trunc', () => {
    expect(formatHistory(rows, { now, noTrunc: true })).toBe(
      lines(
        'IMAGE      CREATED        CREATED BY                                                                                                                     SIZE      COMMENT',
        'imageID1   24 hours ago   /bin/bash ls && npm i && npm run test && karma -c karma.conf.js start && npm start && more commands here && the list goes on   183MB     Hi',
        'imageID2   24 hours ago   /bin/bash echo                                                                                                                 183MB     Hi',
        'imageID3   24 hours ago   /bin/bash ls                                                                                                                   183MB     Hi',
        'imageID4   24 hours ago   /bin/bash grep                                                                                                                 183MB     Hi',
        'imageID5   N/A            /bin/bash echo                                                                                                                 183MB     Hi',
        'imageID6   17 years ago   /bin/bash echo                                                                                                                 183MB     Hi',
      ),
    );
  });
});

describe('formatHistory: a docker save archive', () => {
  const rows: HistoryItem[] = [
    {
      id: 'sha256:5d0da3dc976460b72c77d94c8a1ad043720b0416bfc16c52c45d4847e53fadb6',
      created: '2026-04-29T10:00:00Z',
      createdBy: 'CMD ["/bin/sh" "-c" "echo hi"]',
      size: 0,
      comment: 'buildkit.dockerfile.v0',
    },
    {
      id: undefined,
      created: '2026-04-29T10:00:00.123456789Z',
      createdBy: 'RUN /bin/sh -c apk add --no-cache curl jq bash # buildkit',
      size: 5576917,
      comment: 'buildkit.dockerfile.v0',
    },
    {
      id: undefined,
      created: '2024-01-27T00:00:00Z',
      createdBy: '/bin/sh -c #(nop)  CMD ["/bin/sh"]',
      size: 0,
      comment: '',
    },
    {
      id: undefined,
      created: '2024-01-27T00:00:00Z',
      createdBy:
        '/bin/sh -c #(nop) ADD file:37a76ec18f9887751cd8473744917d08b7431fc4085097bb6a09d81b41775473 in / ',
      size: 7376896,
      comment: '',
    },
  ];

  it('default', () => {
    expect(formatHistory(rows, { now })).toBe(
      lines(
        'IMAGE          CREATED       CREATED BY                                      SIZE      COMMENT',
        '5d0da3dc9764   2 days ago    CMD ["/bin/sh" "-c" "echo hi"]                  0B        buildkit.dockerfile.v0',
        '<missing>      2 days ago    RUN /bin/sh -c apk add --no-cache curl jq ba…   5.58MB    buildkit.dockerfile.v0',
        '<missing>      2 years ago   /bin/sh -c #(nop)  CMD ["/bin/sh"]              0B        ',
        '<missing>      2 years ago   /bin/sh -c #(nop) ADD file:37a76ec18f9887751…   7.38MB    ',
      ),
    );
  });

  it('--no-trunc', () => {
    expect(formatHistory(rows, { now, noTrunc: true })).toBe(
      lines(
        'IMAGE                                                                     CREATED       CREATED BY                                                                                          SIZE      COMMENT',
        'sha256:5d0da3dc976460b72c77d94c8a1ad043720b0416bfc16c52c45d4847e53fadb6   2 days ago    CMD ["/bin/sh" "-c" "echo hi"]                                                                      0B        buildkit.dockerfile.v0',
        '<missing>                                                                 2 days ago    RUN /bin/sh -c apk add --no-cache curl jq bash # buildkit                                           5.58MB    buildkit.dockerfile.v0',
        '<missing>                                                                 2 years ago   /bin/sh -c #(nop)  CMD ["/bin/sh"]                                                                  0B        ',
        '<missing>                                                                 2 years ago   /bin/sh -c #(nop) ADD file:37a76ec18f9887751cd8473744917d08b7431fc4085097bb6a09d81b41775473 in /    7.38MB    ',
      ),
    );
  });

  it('--human=false', () => {
    expect(formatHistory(rows, { now, human: false })).toBe(
      lines(
        'IMAGE          CREATED AT             CREATED BY                                      SIZE      COMMENT',
        '5d0da3dc9764   2026-04-29T10:00:00Z   CMD ["/bin/sh" "-c" "echo hi"]                  0         buildkit.dockerfile.v0',
        '<missing>      2026-04-29T10:00:00Z   RUN /bin/sh -c apk add --no-cache curl jq ba…   5576917   buildkit.dockerfile.v0',
        '<missing>      2024-01-27T00:00:00Z   /bin/sh -c #(nop)  CMD ["/bin/sh"]              0         ',
        '<missing>      2024-01-27T00:00:00Z   /bin/sh -c #(nop) ADD file:37a76ec18f9887751…   7376896   ',
      ),
    );
  });

  it('--human=false in a zone east of UTC', () => {
    const out = formatHistory(rows.slice(0, 1), { now, human: false, utcOffsetMinutes: 120 });
    expect(out).toBe(
      lines(
        'IMAGE          CREATED AT                  CREATED BY                       SIZE      COMMENT',
        '5d0da3dc9764   2026-04-29T12:00:00+02:00   CMD ["/bin/sh" "-c" "echo hi"]   0         buildkit.dockerfile.v0',
      ),
    );
  });

  it('--quiet', () => {
    expect(formatHistory(rows, { now, quiet: true })).toBe(
      lines('5d0da3dc9764', '<missing>', '<missing>', '<missing>'),
    );
    expect(formatHistory(rows.slice(0, 2), { now, quiet: true, noTrunc: true })).toBe(
      lines('sha256:5d0da3dc976460b72c77d94c8a1ad043720b0416bfc16c52c45d4847e53fadb6', '<missing>'),
    );
  });

  it('no rows: the header only', () => {
    expect(formatHistory([], { now })).toBe(
      lines('IMAGE     CREATED   CREATED BY   SIZE      COMMENT'),
    );
  });
});

describe('formatHistory: wide characters, tabs and newlines in CREATED BY', () => {
  it('measures CJK as 2 cells, keeps combining marks, replaces tabs, keeps newlines', () => {
    const created = '2026-04-30T12:00:00Z';
    const rows: HistoryItem[] = [
      {
        id: undefined,
        created,
        createdBy: 'LABEL description="这是一个用于测试宽字符显示的镜像描述信息"',
        size: 0,
        comment: '',
      },
      { id: undefined, created, createdBy: 'RUN echo "cafe\u0301"', size: 0, comment: '' },
      { id: undefined, created, createdBy: 'RUN\tmake', size: 0, comment: '' },
      // A heredoc: docker does not escape the newlines, and a line without a tab flushes the
      // tabwriter, so what follows starts new columns.
      { id: undefined, created, createdBy: 'RUN <<EOF\necho hi\nEOF', size: 0, comment: '' },
    ];
    expect(formatHistory(rows, { now })).toBe(
      lines(
        'IMAGE       CREATED        CREATED BY                                     SIZE      COMMENT',
        '<missing>   24 hours ago   LABEL description="这是一个用于测试宽字符显…   0B        ',
        '<missing>   24 hours ago   RUN echo "cafe\u0301"                                0B        ',
        '<missing>   24 hours ago   RUN make                                       0B        ',
        '<missing>   24 hours ago   RUN <<EOF',
        'echo hi',
        'EOF       0B        ',
      ),
    );
  });
});

describe('formatImageLs: docker/cli formatter/image_test.go TestImageContextWrite', () => {
  const rows: ImageLsItem[] = [
    {
      repository: 'image',
      tag: 'tag1',
      digest: 'sha256:cbbf2f9a99b47fc460d422812b6a5adff7dfee951d8fa2e4a98caa0382cfbdbf',
      id: 'imageID1',
      created: '2026-04-30T12:00:00Z',
      size: 0,
    },
    { repository: 'image', tag: 'tag2', id: 'imageID2', created: '0001-01-01T00:00:00Z', size: 0 },
    { id: 'imageID3', created: '2026-04-30T12:00:00Z', size: 0 },
  ];

  it('table', () => {
    expect(formatImageLs(rows, { now })).toBe(
      lines(
        'REPOSITORY   TAG       IMAGE ID   CREATED        SIZE',
        'image        tag1      imageID1   24 hours ago   0B',
        'image        tag2      imageID2   N/A            0B',
        '<none>       <none>    imageID3   24 hours ago   0B',
      ),
    );
  });

  it('table --digests', () => {
    expect(formatImageLs(rows, { now, digests: true })).toBe(
      lines(
        'REPOSITORY   TAG       DIGEST                                                                    IMAGE ID   CREATED        SIZE',
        'image        tag1      sha256:cbbf2f9a99b47fc460d422812b6a5adff7dfee951d8fa2e4a98caa0382cfbdbf   imageID1   24 hours ago   0B',
        'image        tag2      <none>                                                                    imageID2   N/A            0B',
        '<none>       <none>    <none>                                                                    imageID3   24 hours ago   0B',
      ),
    );
  });

  it('--quiet', () => {
    expect(formatImageLs(rows, { now, quiet: true })).toBe(
      lines('imageID1', 'imageID2', 'imageID3'),
    );
  });
});

describe('formatImageLs: images from archives', () => {
  const rows: ImageLsItem[] = [
    {
      repository: 'busybox',
      tag: 'latest',
      id: 'sha256:27a71e19c95622dbce7b1a1b5e6a4b6f0a28e1d1ef5f2e0c3b1e2f8e7d5c4b3a',
      created: '2024-09-26T21:31:42Z',
      size: 4261550,
    },
    {
      repository: 'localhost:5000/app',
      tag: '1.2.3',
      id: 'sha256:9f2c5b6a1e0d4c3b2a19f8e7d6c5b4a39281706f5e4d3c2b1a0f9e8d7c6b5a49',
      created: '2026-04-30T18:00:00Z',
      size: 77812345,
    },
    {
      // no created in the config: the daemon reports 0, the Unix epoch
      id: '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
      size: 0,
    },
    {
      repository: 'gcr.io/distroless/static',
      tag: 'nonroot',
      id: 'sha256:fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210',
      created: '1970-01-01T00:00:00Z',
      size: 1998624,
    },
  ];

  it('default', () => {
    expect(formatImageLs(rows, { now })).toBe(
      lines(
        'REPOSITORY                 TAG       IMAGE ID       CREATED         SIZE',
        'busybox                    latest    27a71e19c956   19 months ago   4.26MB',
        'localhost:5000/app         1.2.3     9f2c5b6a1e0d   18 hours ago    77.8MB',
        '<none>                     <none>    0123456789ab   56 years ago    0B',
        'gcr.io/distroless/static   nonroot   fedcba987654   56 years ago    2MB',
      ),
    );
  });

  it('--no-trunc', () => {
    expect(formatImageLs(rows, { now, noTrunc: true })).toBe(
      lines(
        'REPOSITORY                 TAG       IMAGE ID                                                                  CREATED         SIZE',
        'busybox                    latest    sha256:27a71e19c95622dbce7b1a1b5e6a4b6f0a28e1d1ef5f2e0c3b1e2f8e7d5c4b3a   19 months ago   4.26MB',
        'localhost:5000/app         1.2.3     sha256:9f2c5b6a1e0d4c3b2a19f8e7d6c5b4a39281706f5e4d3c2b1a0f9e8d7c6b5a49   18 hours ago    77.8MB',
        '<none>                     <none>    sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef   56 years ago    0B',
        'gcr.io/distroless/static   nonroot   sha256:fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210   56 years ago    2MB',
      ),
    );
  });

  it('no rows: the header only', () => {
    expect(formatImageLs([], { now })).toBe(
      lines('REPOSITORY   TAG       IMAGE ID   CREATED   SIZE'),
    );
  });
});
